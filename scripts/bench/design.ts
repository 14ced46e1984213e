import { generator, load, pacedLoad } from './load.js';
import { startBenchServer } from './server.js';
import type { Figure } from './types.js';

const SECONDS = 6;
const INDICATORS = ['law', 'service', 'efficiency', 'integrity', 'openness'];

/**
 * Issue 17's goals for a round that rates each of the demo city's 40 units on five items, weighs the strata and asks why: its form
 * page ≥ 0.25 × `/healthz`, its ballots ≥ 0.10 × with p99 ≤ 20 ms when paced to that rate, on one server.
 */
export async function benchDesignedSurvey(): Promise<Figure[]> {
  const server = await startBenchServer({
    links: 120_000,
    port: 3993,
    design: {
      indicators: INDICATORS.map((k) => `${k}:${k}`).join(','),
      indicatorWeights: '2,1,1,1,1',
      strataWeights: '人大代表:1,政协委员:1,企业代表:2,社区居民:2,农村代表:1.5,媒体代表:1',
      reasons: '办事拖拉;态度生硬;推诿扯皮;不作为乱作为',
    },
  });
  try {
    const { base, tokens, units } = server;
    await load({ url: `${base}/healthz`, seconds: 2 });
    const healthz = await load({ url: `${base}/healthz`, seconds: SECONDS });
    const formUrl = `${base}/s/${tokens[tokens.length - 2]}`;
    await load({ url: formUrl, seconds: 2 });
    const form = await load({ url: formUrl, seconds: SECONDS });
    // Every answer given, a 不满意 now and then with a reason ticked, as a careful representative fills it in.
    const answers = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
    const body = units
      .flatMap((u, k) => {
        const fields = INDICATORS.map((d, i) => `u.${u}.${d}=${answers[(k + i) % 4]}`);
        return INDICATORS.some((_, i) => (k + i) % 4 === 2) ? [...fields, `r.${u}=1`] : fields;
      })
      .concat('reasonsAsked=1', `round=${server.roundId}`) // as the form's script sends once it has offered the reasons
      .join('&');
    // A ballot that is not cast answers 200 (the form or the reasons step), which the load counts as bad; one ballot
    // first says so at once, with its status, when the body is wrong.
    const probe = await fetch(`${base}/s/${tokens[tokens.length - 1]}`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    if (probe.status !== 303) throw new Error(`the benchmark's ballot is not cast: ${probe.status}`);
    const third = Math.floor((tokens.length - 2) / 3);
    const paths = (k: number) => ({ paths: tokens.slice(k * third, (k + 1) * third).map((t) => `/s/${t}`), body });
    await load({ url: base, seconds: 2, posts: paths(2) });
    const submit = await load({ url: base, seconds: SECONDS, posts: paths(0) });
    const paced = await pacedLoad({ url: base, seconds: SECONDS, posts: paths(1), healthzRps: healthz.rps });
    console.log(
      `[${generator}] 40 units × 5 items: healthz ${healthz.rps.toFixed(0)} req/s; form page ${form.rps.toFixed(0)} req/s (bad ${form.bad}); ` +
        `ballots ${submit.rps.toFixed(0)} req/s, p99 ${submit.p99} ms (bad ${submit.bad}); paced ${paced.rps.toFixed(0)} req/s, p99 ${paced.p99} ms (bad ${paced.bad})`,
    );
    const formRatio = form.rps / healthz.rps;
    const submitRatio = submit.rps / healthz.rps;
    const pacedRatio = paced.rps / healthz.rps;
    return [
      {
        name: 'form page, 40 units × 5 items / healthz',
        value: Number(formRatio.toFixed(3)),
        unit: '×',
        goal: '≥ 0.25×',
        met: formRatio >= 0.25 && form.bad === 0,
      },
      {
        name: 'ballots, 40 units × 5 items / healthz',
        value: Number(submitRatio.toFixed(3)),
        unit: '×',
        goal: '≥ 0.10×',
        met: submitRatio >= 0.1 && submit.bad === 0,
      },
      {
        name: `ballot p99 paced, 40 units × 5 items (${pacedRatio.toFixed(3)}× /healthz)`,
        value: paced.p99,
        unit: 'ms',
        goal: '≤ 20 ms at ≥ 0.10×',
        met: paced.p99 <= 20 && pacedRatio >= 0.1 && paced.bad === 0,
      },
    ];
  } finally {
    await server.stop();
  }
}
