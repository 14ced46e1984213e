import { generator, load } from './load.js';
import { startBenchServer } from './server.js';
import type { Figure } from './types.js';

const SECONDS = 6;

/**
 * Issue 4's goals, each a ratio to /healthz on the same server in the same run: ballot submissions with distinct
 * links at 50 connections ≥ 0.10× with p99 ≤ 20 ms, and the form page ≥ 0.25×.
 */
export async function benchSurvey(): Promise<Figure[]> {
  const server = await startBenchServer({ links: 200_000, port: 3990 });
  try {
    const { base, tokens, units } = server;
    await load({ url: `${base}/healthz`, seconds: 2 }); // warm-up
    const healthz = await load({ url: `${base}/healthz`, seconds: SECONDS });
    console.log(`[${generator}] healthz: ${healthz.rps.toFixed(0)} req/s, p99 ${healthz.p99} ms`);

    // The form page of one link (as a person reloading it), then ballots each on its own link. Each route is
    // warmed up first, as /healthz is: a server runs for weeks, and its first second (modules loaded on first
    // use, code not yet optimised) is not what a representative meets.
    const formUrl = `${base}/s/${tokens[tokens.length - 1]}`;
    await load({ url: formUrl, seconds: 2 });
    const form = await load({ url: formUrl, seconds: SECONDS });
    console.log(`[${generator}] form page: ${form.rps.toFixed(0)} req/s, p99 ${form.p99} ms, bad answers ${form.bad}`);

    const answers = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
    const body = units.map((u, k) => `u.${u}=${answers[k % 4]}`).join('&');
    // Warm-up ballots use links from the back half, measured ones the front half: every ballot has its own link.
    const half = Math.floor((tokens.length - 1) / 2);
    await load({ url: base, seconds: 2, posts: { paths: tokens.slice(half, -1).map((t) => `/s/${t}`), body } });
    const submit = await load({ url: base, seconds: SECONDS, posts: { paths: tokens.slice(0, half).map((t) => `/s/${t}`), body } });
    // A stored ballot answers 303; a 409 (links ran out) or any error would count as bad.
    console.log(`[${generator}] ballot submissions: ${submit.rps.toFixed(0)} req/s, p99 ${submit.p99} ms, bad answers ${submit.bad}`);
    const formRatio = form.rps / healthz.rps;
    const submitRatio = submit.rps / healthz.rps;
    return [
      { name: `healthz (reference, ${generator})`, value: Math.round(healthz.rps), unit: 'req/s', goal: '—', met: true },
      { name: 'form page / healthz', value: Number(formRatio.toFixed(3)), unit: '×', goal: '≥ 0.25×', met: formRatio >= 0.25 && form.bad === 0 },
      { name: 'ballot submissions / healthz', value: Number(submitRatio.toFixed(3)), unit: '×', goal: '≥ 0.10×', met: submitRatio >= 0.1 && submit.bad === 0 },
      { name: 'ballot submission p99', value: submit.p99, unit: 'ms', goal: '≤ 20 ms', met: submit.p99 <= 20 },
    ];
  } finally {
    await server.stop();
  }
}

/** Issue 5's goal: a published results page served at ≥ 0.5× the /healthz rate of the same server in the same run. */
export async function benchResultsPage(): Promise<Figure[]> {
  const server = await startBenchServer({ links: 1500, port: 3991, publishedBallots: 1000 });
  try {
    const { base } = server;
    await load({ url: `${base}/healthz`, seconds: 2 }); // warm-up
    const healthz = await load({ url: `${base}/healthz`, seconds: SECONDS });
    const results = await load({ url: `${base}/results/2026`, seconds: SECONDS });
    console.log(`[${generator}] healthz: ${healthz.rps.toFixed(0)} req/s; results page: ${results.rps.toFixed(0)} req/s, p99 ${results.p99} ms, bad answers ${results.bad}`);
    const ratio = results.rps / healthz.rps;
    return [{ name: 'results page / healthz', value: Number(ratio.toFixed(3)), unit: '×', goal: '≥ 0.5×', met: ratio >= 0.5 && results.bad === 0 }];
  } finally {
    await server.stop();
  }
}
