/*
 * The load generator. wrk (Debian package `wrk`, written in C) when it is installed: it can saturate the server
 * from one thread, so /healthz measures the server and not the generator. Otherwise autocannon (npm, in Node):
 * it needs a core of its own and tops out at a few thousand requests per second here, which flatters every ratio,
 * so the summary says which one ran.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const CONNECTIONS = 50;

export interface Run {
  rps: number;
  p99: number;
  bad: number;
}

export const generator: 'wrk' | 'autocannon' = spawnSync('wrk', ['--version']).error ? 'autocannon' : 'wrk';

/** p99 from wrk's latency line ("99%  12.34ms"), in ms. */
function wrkMs(text: string): number {
  const m = /99%\s+([\d.]+)(us|ms|s)\b/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/**
 * GET one URL, or POST a body to one path per request (each path once, in order), with `headers` added to each
 * request. `bad` counts the answers that are not 2xx or 3xx for GETs, and not 303 (a ballot cast) for POSTs. With `rate`, the requests are paced to about that many per second in all (each connection waits
 * CONNECTIONS ÷ rate seconds before its next request) instead of sending the next as soon as an answer comes.
 */
export async function load(opts: {
  url: string;
  seconds: number;
  posts?: { paths: string[]; body: string };
  rate?: number;
  /** Instead of `rate`: each connection's pause before its next request, in whole milliseconds (wrk only). */
  pauseMs?: number;
  headers?: Record<string, string>;
}): Promise<Run> {
  if (generator === 'wrk') {
    const dir = mkdtempSync(join(tmpdir(), 'pingyi-wrk-'));
    try {
      const args = ['-t1', `-c${CONNECTIONS}`, `-d${opts.seconds}s`, '--latency'];
      for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
      if ((opts.rate || opts.pauseMs !== undefined) && !opts.posts) throw new Error('a paced load is only written for POSTs');
      if (opts.posts) {
        writeFileSync(join(dir, 'paths'), `${opts.posts.paths.join('\n')}\n`);
        writeFileSync(join(dir, 'body'), opts.posts.body);
        // With a rate, wrk's delay() is each connection's pause before its next request.
        const pauseMs = opts.pauseMs ?? (opts.rate ? Math.round((1000 * CONNECTIONS) / opts.rate) : undefined);
        const pace = pauseMs !== undefined ? `delay = function() return ${pauseMs} end\n` : '';
        writeFileSync(
          join(dir, 'post.lua'),
          `local paths = {}
for line in io.lines("${join(dir, 'paths')}") do paths[#paths + 1] = line end
local f = io.open("${join(dir, 'body')}", "rb"); local body = f:read("*a"); f:close()
local i = 0
ranOut = 0
request = function()
  i = i + 1
  if i > #paths then ranOut = 1 end
  return wrk.format("POST", paths[math.min(i, #paths)], { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
notCast = 0
response = function(status) if status ~= 303 then notCast = notCast + 1 end end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function()
  local n, out = 0, 0
  for _, t in ipairs(threads) do n = n + t:get("notCast"); out = out + t:get("ranOut") end
  io.write("Not cast: " .. n .. "\\n")
  if out > 0 then io.write("Ran out of links\\n") end
end
${pace}`,
        );
        args.push('-s', join(dir, 'post.lua'));
      }
      const out = (await promisify(execFile)('wrk', [...args, opts.url], { maxBuffer: 16 * 1024 * 1024 })).stdout.toString();
      // Each ballot needs a link of its own: a run that used them all measured used links (409s) at its end.
      if (out.includes('Ran out of links')) throw new Error(`the benchmark ran out of links after ${opts.posts?.paths.length}: give it more`);
      return {
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
        p99: wrkMs(out),
        // A ballot is cast only when answered 303 (a 200 is the form shown again); anything else counts as bad.
        bad: Number((opts.posts ? /Not cast: (\d+)/ : /Non-2xx or 3xx responses:\s+(\d+)/).exec(out)?.[1] ?? (opts.posts ? NaN : 0)),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (opts.pauseMs !== undefined) throw new Error('a pause is only written for wrk');
  let next = 0;
  const r = await autocannon({
    url: opts.url,
    connections: CONNECTIONS,
    ...(opts.headers ? { headers: opts.headers } : {}),
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    ...(opts.posts
      ? {
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              setupRequest: (req: autocannon.Request) => ({ ...req, path: opts.posts!.paths[next++], body: opts.posts!.body }),
            },
          ],
        }
      : {}),
  });
  const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return { rps: r.requests.average, p99: r.latency.p99, bad: opts.posts ? answered - r['3xx'] + r.errors : r.non2xx };
}

/** The share of `/healthz` a paced run aims at: a little above the goal's 0.10×, so that it lands at or above it. */
const PACED_AIM = 0.115;

/**
 * Ballots paced to the goal's rate, 0.10 × `healthzRps`, from the same 50 connections. Each connection's pause comes
 * on top of its answer's time, and wrk pauses in whole milliseconds, so a fixed pause lands anywhere from 0.08× to
 * 0.13× depending on the server's speed: a two-second probe measures the answer's time first, and the pause of the
 * measured run is what is left of each connection's share of the aim. The probe uses the first fifth of the links.
 */
export async function pacedLoad(opts: { url: string; seconds: number; posts: { paths: string[]; body: string }; healthzRps: number }): Promise<Run> {
  const aim = opts.healthzRps * PACED_AIM;
  // autocannon paces the whole load to a rate by itself.
  if (generator === 'autocannon') return load({ ...opts, rate: aim });
  const cycleMs = (1000 * CONNECTIONS) / aim;
  const split = Math.floor(opts.posts.paths.length / 5);
  const probePauseMs = Math.round(cycleMs);
  const probe = await load({ url: opts.url, seconds: 2, posts: { ...opts.posts, paths: opts.posts.paths.slice(0, split) }, pauseMs: probePauseMs });
  const answerMs = Math.max(0, (1000 * CONNECTIONS) / probe.rps - probePauseMs);
  const pauseMs = Math.max(0, Math.floor(cycleMs - answerMs));
  return load({ url: opts.url, seconds: opts.seconds, posts: { ...opts.posts, paths: opts.posts.paths.slice(split) }, pauseMs });
}
