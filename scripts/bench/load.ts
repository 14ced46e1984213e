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
 * wrk's pacing: its delay() is a connection's pause after an answer before its next request, in whole milliseconds.
 * A fixed pause would put the rate anywhere between 0.8 and 1.3 times the aim, as it comes on top of the answer's
 * time, which grows with the rate. Instead each request takes the next slot of one schedule at RATE per second
 * (the Lua state is one for the thread and its connections), so the requests go out at the rate whatever the
 * answers take, and a connection whose answer came late goes at once. LuaJIT's ffi reads the monotonic clock.
 */
const PACE = `local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } pingyi_timespec; int clock_gettime(int clk, pingyi_timespec *tp); ]]
local ts = ffi.new("pingyi_timespec")
local function now() ffi.C.clock_gettime(1, ts) return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end
local interval, slot = 1000 / RATE, nil
delay = function()
  local t = now()
  -- A server that fell behind by more than a second is not sent the whole backlog at once.
  if slot == nil or slot < t - 1000 then slot = t end
  slot = slot + interval
  return math.max(0, math.floor(slot - t))
end
`;

/**
 * GET one URL, or POST a body to one path per request (each path once, in order), with `headers` added to each
 * request. `bad` counts the answers that are not 2xx or 3xx for GETs, and not 303 (a ballot cast) for POSTs. With
 * `rate`, the requests go out at that many per second in all, on a schedule, instead of each connection sending
 * its next as soon as an answer comes (see PACE).
 */
export async function load(opts: {
  url: string;
  seconds: number;
  posts?: { paths: string[]; body: string };
  rate?: number;
  headers?: Record<string, string>;
}): Promise<Run> {
  if (generator === 'wrk') {
    const dir = mkdtempSync(join(tmpdir(), 'pingyi-wrk-'));
    try {
      const args = ['-t1', `-c${CONNECTIONS}`, `-d${opts.seconds}s`, '--latency'];
      for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
      if (opts.rate && !opts.posts) throw new Error('a paced load is only written for POSTs');
      if (opts.posts) {
        writeFileSync(join(dir, 'paths'), `${opts.posts.paths.join('\n')}\n`);
        writeFileSync(join(dir, 'body'), opts.posts.body);
        const pace = opts.rate ? PACE.replace('RATE', String(opts.rate)) : '';
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

/** The share of `/healthz` a paced run aims at: a little above the goal's 0.10×, so that it reaches at least that. */
const PACED_AIM = 0.105;

/** Ballots paced to the goal's rate, 0.10 × `healthzRps`, from the same 50 connections. */
export function pacedLoad(opts: { url: string; seconds: number; posts: { paths: string[]; body: string }; healthzRps: number }): Promise<Run> {
  return load({ ...opts, rate: opts.healthzRps * PACED_AIM });
}
