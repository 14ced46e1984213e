/** The public draw page `/draw/{year}` and its in-browser check (`draw.js.*` are handed to web/js/draw-check.js). */
export const drawMessages = {
  'draw.title': { zh: '{year} 年度代表抽取', en: 'The {year} draw' },
  'draw.notFound': { zh: '{year} 年度还没有可以公开的抽取记录。', en: 'There is no public draw record for {year} yet.' },
  'draw.intro': {
    zh: '本页公开 {year} 年度测评代表的随机抽取过程和结果。页面上只有代表编号，没有姓名。任何人都可以用公开数据重新计算一遍，核对结果。',
    en: 'This page shows how the representatives for {year} were drawn at random, and who was drawn. It shows codes only, never names. Anyone can recompute the draw from the open data and compare.',
  },
  'draw.unstratified': { zh: '全体（不分层）', en: 'Everyone (not stratified)' },
  'draw.stratum': { zh: '界别', en: 'Stratum' },
  'draw.inPool': { zh: '库中人数', en: 'In the pool' },

  'draw.timeline': { zh: '抽取经过', en: 'Step by step' },
  'draw.step.frozen': { zh: '冻结代表库', en: 'Pool frozen' },
  'draw.step.frozenText': {
    zh: '冻结了 {pool} 名有效代表，并公布了代表库指纹（见下文）。此后代表库不再改变。',
    en: '{pool} active representatives were frozen and the pool fingerprint (below) was published. The pool cannot change after this.',
  },
  'draw.step.random': { zh: '公开随机数', en: 'Public random value' },
  'draw.step.randomText': {
    zh: '抽取使用事先公告的公开随机数，原样照录：',
    en: 'The draw used the public random value announced in advance, exactly as published:',
  },
  'draw.step.randomSource': { zh: '来源：{source}', en: 'Source: {source}' },
  'draw.step.randomNoSource': { zh: '未注明来源。', en: 'No source was recorded.' },
  'draw.step.randomPending': {
    zh: '尚未揭晓。代表库已经冻结，指纹已经公布；决定抽取结果的公开随机数现在还没有人知道，揭晓后才能抽取。',
    en: 'Not known yet. The pool is frozen and its fingerprint is published; nobody yet knows the public random value that will decide the draw. The draw can only run once it is announced.',
  },
  'draw.step.drawn': { zh: '随机抽取', en: 'Draw' },
  'draw.step.drawnText': {
    zh: '由代表库指纹和公开随机数算出种子，从 {pool} 名代表中抽出 {drawn} 名，其余代表按顺序作为候补。',
    en: 'The seed was computed from the pool fingerprint and the public random value; {drawn} of the {pool} representatives were drawn, and the others became reserves, in order.',
  },
  'draw.step.drawnPending': { zh: '尚未抽取。', en: 'Not drawn yet.' },
  'draw.step.replacedText': { zh: '此后由候补递补的代表：{n} 名（见替换记录）。', en: 'Replaced by reserves since then: {n} (see the replacements below).' },
  'draw.seed': { zh: '种子', en: 'Seed' },

  'draw.pool.heading': { zh: '代表库指纹', en: 'Pool fingerprint' },
  'draw.pool.hashLabel': { zh: '代表库指纹（SHA-256）', en: 'Pool fingerprint (SHA-256)' },
  'draw.pool.text': {
    zh: '冻结的代表库写成一个标准文件（首行 code,stratum，之后每名代表一行“编号,界别”，按编号的字节顺序排列），它的 SHA-256 就是代表库指纹。指纹在公开随机数揭晓之前就已公布，所以事后无法增减代表来影响结果。',
    en: 'The frozen pool is written as one standard file (the line code,stratum, then one line "code,stratum" per representative, sorted by code in byte order); its SHA-256 is the pool fingerprint. It was published before the public random value was known, so nobody can add or remove people afterwards to steer the result.',
  },
  'draw.pool.caption': { zh: '冻结时各界别人数', en: 'Representatives by stratum when frozen' },

  'draw.alloc.heading': { zh: '名额分配', en: 'Seats per stratum' },
  'draw.alloc.text': {
    zh: '按最大余数法分配 N = {n} 个名额，代表库共 P = {pool} 人：每个界别先得 N·nₛ/P 的整数部分，剩下的名额依次给余数（N·nₛ mod P）最大的界别，每个界别最多多得一个。',
    en: 'N = {n} seats are shared out by largest remainder over a pool of P = {pool}: each stratum first gets the whole part of N·nₛ/P, and the seats left over go, one each, to the strata with the largest remainder (N·nₛ mod P).',
  },
  'draw.alloc.everyone': {
    zh: '抽取人数不少于代表库人数，代表库中所有人都被抽中。',
    en: 'The sample size is at least the pool size, so everyone in the pool is drawn.',
  },
  'draw.alloc.tie': {
    zh: '界别 {strata} 的余数相同：额外名额给“{seed}|tie|界别”的 SHA-256 较小的界别。',
    en: 'Strata {strata} have equal remainders: the extra seat goes to the one with the smaller SHA-256 of "{seed}|tie|stratum".',
  },
  'draw.alloc.pool': { zh: '库中人数 nₛ', en: 'Pool nₛ' },
  'draw.alloc.quota': { zh: '应得 N·nₛ/P', en: 'Exact quota N·nₛ/P' },
  'draw.alloc.floor': { zh: '整数部分', en: 'Whole seats' },
  'draw.alloc.remainder': { zh: '余数 N·nₛ mod P', en: 'Remainder N·nₛ mod P' },
  'draw.alloc.extra': { zh: '多得一个', en: 'Extra seat' },
  'draw.alloc.seats': { zh: '名额', en: 'Seats' },

  'draw.sample.heading': { zh: '抽中代表与候补（编号）', en: 'Drawn representatives and reserves (codes)' },
  'draw.sample.text': {
    zh: '每个界别内的顺序都由种子决定。抽中的代表按抽中顺序排列；候补按递补顺序排列：有代表不能参加时，由同一界别排在最前、尚未递补的候补接替。',
    en: 'The order within each stratum is fixed by the seed. Drawn representatives are listed in drawn order, reserves in the order they step in: when someone cannot take part, the first unused reserve of the same stratum takes the seat.',
  },
  'draw.sample.summary': { zh: '{stratum}：抽中 {drawn} 名，候补 {reserves} 名', en: '{stratum}: {drawn} drawn, {reserves} reserves' },
  'draw.sample.drawn': { zh: '抽中（按抽中顺序）', en: 'Drawn, in drawn order' },
  'draw.sample.reserves': { zh: '候补（按递补顺序）', en: 'Reserves, in order' },
  'draw.sample.replacedMark': { zh: '（已被替换）', en: '(replaced)' },
  'draw.sample.seatedMark': { zh: '（已递补）', en: '(took a seat)' },

  'draw.repl.heading': { zh: '替换记录', en: 'Replacements' },
  'draw.repl.none': { zh: '没有替换。', en: 'No one has been replaced.' },
  'draw.repl.out': { zh: '被替换', en: 'Out' },
  'draw.repl.in': { zh: '递补', en: 'In' },
  'draw.repl.reason': { zh: '原因', en: 'Reason' },
  'draw.repl.date': { zh: '日期', en: 'Date' },

  'draw.code.heading': { zh: '查询我的编号', en: 'Look up my code' },
  'draw.code.label': { zh: '代表编号（见邀请函）', en: 'Your representative code (on your letter)' },
  'draw.code.notInPool': {
    zh: '编号 {code} 不在 {year} 年度冻结的代表库中。请核对邀请函上的编号（区分大小写）。',
    en: 'Code {code} is not in the pool frozen for {year}. Please check the code on your letter (capital letters matter).',
  },
  'draw.code.didYouMean': { zh: '您要查的是不是 {code}？', en: 'Did you mean {code}?' },
  'draw.code.pending': {
    zh: '编号 {code} 在 {year} 年度冻结的代表库中（界别：{stratum}）。尚未抽取。',
    en: 'Code {code} is in the pool frozen for {year} (stratum: {stratum}). The draw has not taken place yet.',
  },
  'draw.code.drawn': { zh: '编号 {code} 被抽中：{stratum}界别第 {n} 名。', en: 'Code {code} was drawn: number {n} in stratum {stratum}.' },
  'draw.code.replaced': { zh: '{date} 由候补 {in} 递补了这个名额。原因：{reason}', en: 'On {date} reserve {in} took this seat. Reason: {reason}' },
  'draw.code.reserve': {
    zh: '编号 {code} 未被抽中，是{stratum}界别第 {n} 号候补。',
    en: 'Code {code} was not drawn; it is reserve number {n} in stratum {stratum}.',
  },
  'draw.code.tookSeat': { zh: '{date} 递补了 {out} 的名额。原因：{reason}', en: 'On {date} it took the seat of {out}. Reason: {reason}' },
  'draw.code.reservesUsed': { zh: '该界别目前已递补的候补：{used} 名。', en: 'Reserves of this stratum who have taken a seat so far: {used}.' },

  'draw.verify.heading': { zh: '自行核验', en: 'Check it yourself' },
  'draw.verify.algorithm': {
    zh: '抽取算法：{name}。同样的代表库加同样的公开随机数，在任何电脑上都得到同样的结果：',
    en: 'Algorithm: {name}. The same pool and the same public random value give the same result on any computer:',
  },
  'draw.verify.step1': { zh: '把代表库写成标准文件，算出指纹（SHA-256）；', en: 'write the pool as the standard file and take its SHA-256 (the fingerprint);' },
  'draw.verify.step2': {
    zh: '种子 = “pingyi-draw-v1、年度、指纹、公开随机数”各占一行的 SHA-256；',
    en: 'seed = SHA-256 of "pingyi-draw-v1", the year, the fingerprint and the public random value, one per line;',
  },
  'draw.verify.step3': { zh: '按最大余数法把名额分给各界别（见上表）；', en: 'share the seats among the strata by largest remainder (table above);' },
  'draw.verify.step4': {
    zh: '每个界别的编号按字节顺序排好，用以“种子|界别”的 SHA-256 为种子的 seedrandom 做 Fisher–Yates 洗牌，排在前面的抽中，其余为候补；',
    en: 'sort each stratum\'s codes in byte order and shuffle them by Fisher–Yates with seedrandom seeded with the SHA-256 of "seed|stratum"; the first ones are drawn, the rest are reserves;',
  },
  'draw.verify.step5': { zh: '各界别按字节顺序依次排列，组成抽中名单。', en: 'list the strata in byte order, each in its drawn order.' },
  'draw.verify.json': { zh: '下载公开数据（JSON）', en: 'Download the open data (JSON)' },
  'draw.verify.cli': {
    zh: '在任何电脑上下载本系统的开源代码，运行下面的命令；只有完全一致时命令才以 0 退出：',
    en: 'With the open-source code of this system, on any computer, run the command below; it exits with 0 only if everything matches:',
  },
  'draw.verify.browser': { zh: '也可以在本浏览器中用公开数据独立重算一遍：', en: 'Or recompute it from the open data, independently, in this browser:' },
  'draw.verify.button': { zh: '在我的浏览器中重新抽取一遍', en: 'Re-run the draw in my browser' },
  'draw.verify.buttonFrozen': { zh: '在我的浏览器中核对代表库指纹', en: 'Check the pool fingerprint in my browser' },
  'draw.verify.nojs': {
    zh: '浏览器内核验需要启用 JavaScript。也可以下载上面的 JSON 文件，用命令行核验。',
    en: 'The in-browser check needs JavaScript. You can instead download the JSON file above and check it with the command line.',
  },

  'draw.js.loading': { zh: '正在下载公开数据……', en: 'Downloading the open data…' },
  'draw.js.hashing': { zh: '正在计算代表库指纹（{pool} 名代表）……', en: 'Computing the pool fingerprint ({pool} representatives)…' },
  'draw.js.allocating': { zh: '正在计算种子和名额分配……', en: 'Computing the seed and the seats per stratum…' },
  'draw.js.shuffling': { zh: '正在重新抽取：{stratum}（{done}/{total}）……', en: 'Re-drawing {stratum} ({done} of {total})…' },
  'draw.js.replacements': { zh: '正在核对替换记录……', en: 'Checking the replacements…' },
  'draw.js.match': {
    zh: '✓ 完全一致。您的浏览器根据公开数据独立算出的代表库指纹、种子、名额分配、{drawn} 名抽中代表、全部候补和替换记录（{replacements} 条），与公布的结果完全相同（计算用时 {ms} 毫秒）。',
    en: '✓ It matches. From the open data alone, your browser recomputed the pool fingerprint, the seed, the seats per stratum, the {drawn} drawn codes, every reserve and the replacement log ({replacements}), and all are exactly as published (computed in {ms} ms).',
  },
  'draw.js.matchFrozen': {
    zh: '✓ 代表库指纹一致：您的浏览器根据公开的 {pool} 名代表算出的指纹和各界别人数与公布的相同（计算用时 {ms} 毫秒）。抽取之后可以再来核验抽取结果。',
    en: '✓ The pool fingerprint matches: from the {pool} published entries your browser computed the same fingerprint and stratum counts as published (computed in {ms} ms). Come back after the draw to check the sample.',
  },
  'draw.js.mismatch': {
    zh: '✗ 不一致。第一处差异在 {where}：公布的数据是 {published}，重新计算得到 {recomputed}。',
    en: '✗ It does not match. The first difference is at {where}: the published data has {published}, the recomputation gives {recomputed}.',
  },
  'draw.js.pageHash': { zh: '本页显示的指纹', en: 'the fingerprint shown on this page' },
  'draw.js.nothing': { zh: '（无）', en: '(nothing)' },
  'draw.js.notSeated': { zh: '（不在名额中）', en: '(no seat to give)' },
  'draw.js.duplicate': { zh: '重复的编号 {code}', en: 'code {code} twice' },
  'draw.js.noCrypto': {
    zh: '此浏览器只在安全连接（https）或本机地址上提供 SHA-256 计算，本页无法完成核验。请改用 https 地址访问，或下载 JSON 文件用命令行核验。',
    en: 'This browser offers SHA-256 only on secure (https) pages or on localhost, so the check cannot run here. Open the page over https, or download the JSON file and use the command line.',
  },
  'draw.js.failed': {
    zh: '核验没能完成：{error}。可以下载 JSON 文件用命令行核验。',
    en: 'The check could not finish: {error}. You can download the JSON file and use the command line.',
  },
} as const;
