export const resultsMessages = {
  'results.error.notClosed': {
    zh: '{year} 年度当前状态为 {status}，须先截止填写才能公布结果。',
    en: 'Round {year} is {status}; close it before publishing its results.',
  },
  'results.error.paperWaiting': {
    zh: '{year} 年度还有 {count} 张纸质测评票只录入了一次或两次录入不一致（见纸质测评票页面）：请先完成录入，或作废这些录入后重新录入，再公布结果。',
    en: 'Round {year} has {count} paper ballots typed in only once or disputed (see its paper ballots page): finish their entry, or discard it and type them again, before publishing.',
  },
  'results.error.noteNeeded': {
    zh: '结果已经公布过；发布更正版本时必须说明更正原因。',
    en: 'The results are already published; a correction needs a note saying what changed.',
  },
  'results.error.auditUnkeyed': {
    zh: '操作日志仍有加密钥之前写入的记录：请先核对日志，再运行一次 npm run cli -- audit rekey，然后公布。',
    en: 'The audit log still begins with rows written before it was keyed: check them, run npm run cli -- audit rekey once, then publish.',
  },
  'results.error.note': { zh: '说明不能超过 1000 个字符', en: 'The note may have at most 1,000 characters' },
  'results.published': {
    zh: '已公布 {year} 年度测评结果（第 {version} 版）。SHA-256：{sha}',
    en: 'Results {year} published (version {version}). SHA-256: {sha}',
  },
  'results.console.title': { zh: '{year} 年度测评结果', en: 'Results {year}' },
  'results.console.draft': {
    zh: '草稿预览：以下结果尚未公布，公众看不到。',
    en: 'Draft preview: these results are not published and the public cannot see them.',
  },
  'results.console.publish': { zh: '公布结果', en: 'Publish the results' },
  'results.console.publishHelp': {
    zh: '公布后结果即成为不可修改的快照（附 SHA-256），公开页面只显示已公布的快照。如需更正，可发布新版本并说明原因，旧版本仍可查看。',
    en: 'Publishing freezes the results into an immutable snapshot with its SHA-256; public pages show only published snapshots. A correction is a new version with a note; earlier versions stay readable.',
  },
  'results.console.correct': { zh: '发布更正版本', en: 'Publish a correction' },
  'results.console.note': { zh: '说明（公开；发布更正时必填）', en: 'Note (public; required for a correction)' },
  'results.console.versions': { zh: '已公布的版本', en: 'Published versions' },
  'results.console.version': { zh: '第 {version} 版', en: 'Version {version}' },
  'results.console.notClosed': { zh: '测评截止后才能预览和公布结果。', en: 'Results can be previewed and published once the round is closed.' },
  'results.console.smallCategory': {
    zh: '注意：按类别排名时，“{category}”只有 {n} 个参加排名的单位，其中每个单位都会被标为后三位。',
    en: 'Warning: with ranking by category, "{category}" has only {n} ranked units, so every one of them is flagged bottom three.',
  },
  'results.console.thinStratum': {
    zh: '注意：本轮按界别加权，界别“{stratum}”只有 {n} 张测评票（少于 {min} 张）。加权测评要公布每个界别的票数明细，该界别代表的选择几乎可以从中看出。确认无妨再公布。',
    en: 'Warning: this round weighs strata, and "{stratum}" has only {n} ballots (fewer than {min}). A weighted round publishes the answer counts of every stratum, so its members\' answers are nearly visible in them. Publish only if that is acceptable.',
  },
  'results.console.unranked': { zh: '未排名（有效票不足）', en: 'not ranked (too few valid answers)' },
  'results.console.bottom3': { zh: '▼ 后三位', en: '▼ bottom three' },
  'results.console.twoYears': { zh: '‼ 连续两年后三位', en: '‼ bottom three two years running' },
  'results.console.rank': { zh: '名次', en: 'Rank' },
  'results.console.score': { zh: '得分', en: 'Score' },
  'results.console.valid': { zh: '有效票', en: 'Valid' },
  'results.console.flags': { zh: '标注', en: 'Flags' },
  'results.console.publicPage': { zh: '公开的结果页面', en: 'The public results page' },
} as const;
