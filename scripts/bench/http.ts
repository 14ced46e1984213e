import autocannon from 'autocannon';
import { startBenchServer } from './server.js';
import type { Figure } from './types.js';

const SECONDS = 6;
const CONNECTIONS = 50;

interface Run {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(opts: autocannon.Options): Promise<Run> {
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/**
 * Issue 4's goals, each a ratio to /healthz on the same server in the same run: ballot submissions with distinct
 * links at 50 connections ≥ 0.10× with p99 ≤ 20 ms, and the form page ≥ 0.25×.
 */
export async function benchSurvey(): Promise<Figure[]> {
  const server = await startBenchServer({ links: 150_000, port: 3990 });
  try {
    const { base, tokens, units } = server;
    await load({ url: `${base}/healthz`, duration: 2 }); // warm-up
    const healthz = await load({ url: `${base}/healthz` });
    console.log(`healthz: ${healthz.rps.toFixed(0)} req/s, p99 ${healthz.p99} ms`);

    // The form page of one link (as a person reloading it), then ballots each on its own link.
    const form = await load({ url: `${base}/s/${tokens[tokens.length - 1]}` });
    console.log(`form page: ${form.rps.toFixed(0)} req/s, p99 ${form.p99} ms, non-2xx ${form.non2xx}`);

    const answers = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
    const body = (i: number) => units.map((u, k) => `u.${u}=${answers[(i + k) % 4]}`).join('&');
    let next = 0;
    const submit = await load({
      url: base,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (req) => {
            const i = next++;
            return { ...req, path: `/s/${tokens[i % (tokens.length - 1)]}`, body: body(i) };
          },
        },
      ],
    });
    // A successful submission answers 303; anything else (409 when links ran out) would show as non-2xx.
    console.log(`ballot submissions: ${submit.rps.toFixed(0)} req/s, p99 ${submit.p99} ms, ${next} sent`);
    const formRatio = form.rps / healthz.rps;
    const submitRatio = submit.rps / healthz.rps;
    return [
      { name: 'healthz (reference)', value: Math.round(healthz.rps), unit: 'req/s', goal: '—', met: true },
      { name: 'form page / healthz', value: Number(formRatio.toFixed(3)), unit: '×', goal: '≥ 0.25×', met: formRatio >= 0.25 },
      { name: 'ballot submissions / healthz', value: Number(submitRatio.toFixed(3)), unit: '×', goal: '≥ 0.10×', met: submitRatio >= 0.1 },
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
    await load({ url: `${base}/healthz`, duration: 2 }); // warm-up
    const healthz = await load({ url: `${base}/healthz` });
    const results = await load({ url: `${base}/results/2026` });
    console.log(`healthz: ${healthz.rps.toFixed(0)} req/s; results page: ${results.rps.toFixed(0)} req/s, p99 ${results.p99} ms, non-2xx ${results.non2xx}`);
    const ratio = results.rps / healthz.rps;
    return [{ name: 'results page / healthz', value: Number(ratio.toFixed(3)), unit: '×', goal: '≥ 0.5×', met: ratio >= 0.5 && results.non2xx === 0 }];
  } finally {
    await server.stop();
  }
}
