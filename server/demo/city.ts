/*
 * A synthetic city for the demo, the benchmarks and tests: made-up units and made-up people. Generated from a
 * fixed seed, so every run builds the same city. Nothing here is real personal data.
 */
import seedrandom from 'seedrandom';
import type { RepresentativeInput } from '../pool/representatives.js';
import type { UnitInput } from '../units/units.js';

export const DEMO_CATEGORIES = ['综合管理部门', '行政执法部门', '公共服务部门'] as const;

const UNITS: Record<(typeof DEMO_CATEGORIES)[number], string[]> = {
  综合管理部门: [
    '市发展和改革委员会',
    '市财政局',
    '市人力资源和社会保障局',
    '市审计局',
    '市统计局',
    '市机关事务管理局',
    '市政务服务中心',
    '市工业和信息化局',
    '市商务局',
    '市科学技术局',
    '市民政局',
    '市退役军人事务局',
    '市信访局',
  ],
  行政执法部门: [
    '市公安局',
    '市市场监督管理局',
    '市自然资源和规划局',
    '市生态环境局',
    '市住房和城乡建设局',
    '市交通运输局',
    '市城市管理综合执法局',
    '市应急管理局',
    '市税务局',
    '市农业农村局',
    '市水利局',
    '市文化广电旅游局',
    '市卫生健康委员会',
    '市林业局',
  ],
  公共服务部门: [
    '市供电公司',
    '市自来水公司',
    '市燃气公司',
    '市公交集团',
    '市人民医院',
    '市中医院',
    '市教育局',
    '市医疗保障局',
    '市住房公积金管理中心',
    '市不动产登记中心',
    '市邮政分公司',
    '市电信分公司',
    '市移动分公司',
  ],
};

export const DEMO_STRATA = ['人大代表', '政协委员', '企业代表', '社区居民', '农村代表', '媒体代表'] as const;
const STRATUM_SIZES = [420, 380, 760, 980, 520, 140]; // 3,200 in all
const STRATUM_PREFIX = ['RD', 'ZX', 'QY', 'SQ', 'NC', 'MT'];
const DISTRICTS = ['东湖区', '西岭区', '南河区', '北山区', '新城区', '临江县', '青石县'];
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华霞平刚桂兰玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣晨辰瑶怡佳琪雪颖倩婷慧文博志海峰建国庆春秋冬阳光';

export function demoUnits(): UnitInput[] {
  let n = 0;
  return DEMO_CATEGORIES.flatMap((category) =>
    (UNITS[category] ?? []).map((name) => ({ code: `U${String(++n).padStart(2, '0')}`, name, category, active: true })),
  );
}

/** About 3,200 made-up representatives in six strata, with made-up phones in the 190-0000 test range. */
export function demoPool(scale = 1): RepresentativeInput[] {
  const rng = seedrandom('pingyi-demo-city');
  const pick = (s: string) => s[Math.floor(rng() * s.length)] as string;
  const reps: RepresentativeInput[] = [];
  DEMO_STRATA.forEach((stratum, i) => {
    const size = Math.round((STRATUM_SIZES[i] as number) * scale);
    for (let k = 1; k <= size; k++) {
      const code = `${STRATUM_PREFIX[i]}${String(k).padStart(4, '0')}`;
      const name = pick(SURNAMES) + pick(GIVEN) + (rng() < 0.6 ? pick(GIVEN) : '');
      reps.push({
        code,
        name,
        stratum,
        district: DISTRICTS[Math.floor(rng() * DISTRICTS.length)] as string,
        phone: rng() < 0.9 ? `1900000${String(Math.floor(rng() * 10000)).padStart(4, '0')}` : null,
        email: rng() < 0.4 ? `${code.toLowerCase()}@example.org` : null,
        active: rng() > 0.01,
      });
    }
  });
  return reps;
}
