// The ballot's fast path (server/survey/fast-path.ts) answers accepted ballots before Hono, on a real server only;
// the other survey tests go through `app.request()` and so test the Hono route it hands everything else to. Here
// the same requests go over HTTP to two servers on two identical installations: one answering with Hono alone (as
// before the fast path), one with the listener a real server uses. Whatever the request, both must answer alike
// (status, headers, page) and leave the database alike, and the accepted ballot must be stored exactly once.
import { once } from 'node:events';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { createApp, createRequestListener } from '../server/app.js';
import { linkCode } from '../server/links/codes.js';
import { ballotCount, CHOICES, fullBallot, openSurvey, SECRET, usedOn, YEAR, type Survey } from './survey-fixture.js';

const UNITS = demoUnits()
  .filter((_, i) => i % 3 === 0)
  .slice(0, 12);
const FORM = 'application/x-www-form-urlencoded';
const RECEIPT_COOKIE = /^receipt=[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4};/;

interface Side {
  s: Survey;
  base: string;
  server: Server;
}

async function serve(s: Survey, listener: RequestListener): Promise<Side> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { s, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Two identical installations (same secret, pool and draw, so the same tokens): Hono alone, and the real listener. */
async function pair(opts: Parameters<typeof openSurvey>[0] = {}) {
  const [a, b] = [await openSurvey({ units: UNITS, ...opts }), await openSurvey({ units: UNITS, ...opts })];
  const hono = await serve(a, getRequestListener(createApp({ store: a.store, config: a.config, clock: a.clock, log: (l) => a.logs.push(l) }).fetch));
  const full = await serve(b, createRequestListener({ store: b.store, config: b.config, clock: b.clock, log: (l) => b.logs.push(l) }));
  return {
    hono,
    full,
    async close() {
      for (const side of [hono, full]) {
        side.server.closeAllConnections();
        side.server.close();
        await side.s.store.destroy();
      }
    },
  };
}

/** Runs `body` on a fresh pair of servers and closes them however it ends. */
async function withPair(body: (p: Awaited<ReturnType<typeof pair>>) => Promise<void>, opts: Parameters<typeof openSurvey>[0] = {}) {
  const p = await pair(opts);
  try {
    await body(p);
  } finally {
    await p.close();
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One raw HTTP request (so the body may be chunked, or lie about its type), the whole answer read. */
function send(base: string, path: string, body: string, opts: { type?: string; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': opts.type ?? FORM };
    if (!opts.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (opts.chunked) {
      // Two writes without a length: Node sends them chunked.
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else req.end(body);
  });
}

const enc = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/**
 * The parts of an answer that must not differ between the two servers: not the date, a receipt (fresh each
 * time) or the round's id, nor how the body is framed (the fast path says `Content-Length: 0` where Hono sends an empty chunked body).
 */
function comparable(a: Answer) {
  const {
    date,
    'set-cookie': cookies,
    'content-length': length,
    'transfer-encoding': framing,
    ...headers
  } = a.headers as Record<string, string> & { 'set-cookie'?: string[] };
  void [date, length, framing];
  const cookie = cookies?.map((c) => c.replace(RECEIPT_COOKIE, 'receipt=(a receipt);'));
  // Each server has a round of its own, whose id its forms carry.
  const body = a.body.replace(/(name="round" value=")[^"]*"/g, '$1(the round)"');
  return { status: a.status, headers: { ...headers, ...(cookie && { 'set-cookie': cookie }) }, body };
}

async function both(p: Awaited<ReturnType<typeof pair>>, path: string, body: string, opts: Parameters<typeof send>[3] = {}) {
  const [h, f] = [await send(p.hono.base, path, body, opts), await send(p.full.base, path, body, opts)];
  assert.equal(comparable(f), comparable(h), `${path}: the real listener answers as Hono alone does`);
  return f;
}

async function stored(s: Survey) {
  const rows = await s.db.selectFrom('ballots').select(['answers', 'comments', 'comment']).orderBy('answers').orderBy('comment').execute();
  return rows;
}

const fast = suite('the ballot fast path');

fast('an accepted ballot: the same 303, headers and receipt format; one ballot stored on each, with the same content', async () => {
  await withPair(async (p) => {
    const token = p.full.s.tokens[0] as string;
    const body = enc({ ...fullBallot(UNITS), [`c.${UNITS[1]?.code}`]: '  窗口排队太久  ', comment: '总体满意' });
    const res = await both(p, `/s/${token}`, body);
    assert.is(res.status, 303);
    assert.is(res.headers.location, '/thanks', 'the receipt is not in the address');
    assert.match(String((res.headers as Record<string, unknown>)['set-cookie']), RECEIPT_COOKIE, 'but in a cookie for the thank-you page');
    assert.is(res.headers['referrer-policy'], 'no-referrer');
    assert.is(res.headers['content-security-policy']?.startsWith("default-src 'self'"), true, 'security headers on the fast answer');
    assert.is(res.headers['cache-control'], 'no-store');
    assert.equal(await stored(p.full.s), await stored(p.hono.s), 'the same ballot stored');
    assert.is(await ballotCount(p.full.s), 1);
    assert.is(await usedOn(p.full.s, token), '2026-03-10');
    // The fast path answered it (its log line says so; Hono's does not), and no log line holds the token.
    const line = p.full.s.logs.find((l) => / POST \/s\/\[token\] 303 .*\(fast path\)$/.test(l));
    assert.ok(line, `the fast path answered the ballot (${p.full.s.logs.join(' | ')})`);
    assert.ok(
      p.hono.s.logs.some((l) => / POST \/s\/\[token\] 303 [\d.]+ms$/.test(l)),
      'and Hono answered it on the other side',
    );
    assert.not.ok(
      p.full.s.logs.some((l) => l.includes(token)),
      'no token in the log',
    );
  });
});

fast(
  'every other answer is Hono’s, byte for byte: used link, refused form, unknown and malformed tokens, bad media, too large, a query, a chunked body',
  async () => {
    await withPair(async (p) => {
      const [t0, t1, t2, t3] = p.full.s.tokens as [string, string, string, string];
      const ballot = enc(fullBallot(UNITS));
      await both(p, `/s/${t0}`, ballot);
      assert.is((await both(p, `/s/${t0}`, ballot)).status, 409, 'a used link');
      const partial = enc(Object.fromEntries(Object.entries(fullBallot(UNITS)).slice(0, 5)));
      const refused = await both(p, `/s/${t1}`, `${partial}&c.${UNITS[0]?.code}=${encodeURIComponent('保留的意见')}`);
      assert.is(refused.status, 422, 'a refused form');
      assert.match(refused.body, '保留的意见', 'the answers given come back');
      assert.is(await usedOn(p.full.s, t1), null, 'a refused form uses nothing');
      assert.is((await both(p, `/s/${t1}`, `${ballot}&u.NOPE=satisfied`)).status, 422, 'a unit outside the round');
      assert.is((await both(p, `/s/${t1}`, `${ballot}&u.${UNITS[0]?.code}=basic`)).status, 422, 'two answers for one unit');
      assert.is((await both(p, '/s/Unknown000000000000000', ballot)).status, 404, 'an unknown token');
      assert.is((await both(p, '/s/not-a-token!', ballot)).status, 404, 'a malformed token');
      assert.is((await both(p, `/s/${t1}`, ballot, { type: 'text/plain' })).status, 415, 'another content type');
      assert.is((await both(p, `/s/${t1}`, `${ballot}&comment=${'x'.repeat(1024 * 1024)}`)).status, 413, 'a body over the limit');
      assert.is((await both(p, `/s/${t2}?lang=en`, ballot)).status, 303, 'with a query: Hono (which also sets the language cookie)');
      assert.is((await both(p, `/s/${t3}`, ballot, { chunked: true })).status, 303, 'a chunked body: Hono');
      assert.is(await ballotCount(p.full.s), 3);
      assert.is(await ballotCount(p.hono.s), 3);
      assert.equal(await stored(p.full.s), await stored(p.hono.s), 'the same ballots on both');
    });
  },
);

fast('outside the round’s dates: 410 from both, nothing stored', async () => {
  for (const now of ['2026-02-28T15:59:00Z', '2026-03-30T16:00:00Z']) {
    await withPair(
      async (p) => {
        const token = p.full.s.tokens[0] as string;
        assert.is((await both(p, `/s/${token}`, enc(fullBallot(UNITS)))).status, 410, now);
        assert.is(await ballotCount(p.full.s), 0);
      },
      { now },
    );
  }
});

fast('an address that guessed too often: further guesses 429, a good ballot still 303; the guesses counted by Hono count for the fast path', async () => {
  await withPair(async (p) => {
    for (let i = 0; i < 20; i++) assert.is((await both(p, `/s/Guess${String(i).padStart(17, '0')}`, 'x=1')).status, 404);
    assert.is((await both(p, `/s/Guess${'9'.repeat(17)}`, enc(fullBallot(UNITS)))).status, 429);
    const res = await both(p, `/s/${p.full.s.tokens[0]}`, enc(fullBallot(UNITS)));
    assert.is(res.status, 303);
    assert.is(await ballotCount(p.full.s), 1);
  });
});

fast('twenty simultaneous submissions of one link over HTTP: one 303, nineteen 409, one ballot', async () => {
  await withPair(async (p) => {
    const token = p.full.s.tokens[0] as string;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(p.full.base, `/s/${token}`, enc({ ...fullBallot(UNITS, (_c, k) => CHOICES[(i + k) % 4] as string), comment: `copy ${i}` })),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.is(statuses.filter((x) => x === 303).length, 1, statuses.join(','));
    assert.is(statuses.filter((x) => x === 409).length, 19, statuses.join(','));
    const rows = await p.full.s.db.selectFrom('ballots').select('comment').execute();
    assert.equal(rows, [{ comment: `copy ${statuses.indexOf(303)}` }], 'the stored ballot is the one answered 303');
  });
});

fast('a body that starts with a byte-order mark, or escapes bytes that are not UTF-8, is read as Hono reads it', async () => {
  await withPair(async (p) => {
    const [t0, t1] = p.full.s.tokens as [string, string];
    await both(p, `/s/${t0}`, `\uFEFF${enc(fullBallot(UNITS))}`);
    await both(p, `/s/${t1}`, `${enc(fullBallot(UNITS))}&comment=%FF%FE`);
    assert.equal(await stored(p.full.s), await stored(p.hono.s));
  });
});

fast('a ballot sent with a 测评码: the fast path answers it (logged as /k/[code]); another spelling goes on to Hono', async () => {
  await withPair(async (p) => {
    const [a, b, c] = p.full.s.seats as [Survey['seats'][number], Survey['seats'][number], Survey['seats'][number]];
    const code = (seat: typeof a) => linkCode(SECRET, YEAR, seat.code, 1);
    const res = await both(p, `/k/${code(a)}`, enc(fullBallot(UNITS)));
    assert.is(res.status, 303);
    assert.ok(
      p.full.s.logs.some((l) => / POST \/k\/\[code\] 303 .*\(fast path\)$/.test(l)),
      `the fast path answered (${p.full.s.logs.join(' | ')})`,
    );
    // In lower case the code is not in its canonical form: Hono decides it, with the same outcome.
    const lower = await both(p, `/k/${code(b).toLowerCase()}`, enc(fullBallot(UNITS)));
    assert.is(lower.status, 303);
    assert.is(p.full.s.logs.filter((l) => l.includes('(fast path)')).length, 1);
    assert.ok(p.full.s.logs.some((l) => / POST \/k\/\[code\] 303 [\d.]+ms$/.test(l)));
    // One seat by code and by link at once, on the real listener: one ballot.
    const [byCode, byLink] = await Promise.all([
      send(p.full.base, `/k/${code(c)}`, enc(fullBallot(UNITS))),
      send(p.full.base, `/s/${c.token}`, enc(fullBallot(UNITS))),
    ]);
    assert.equal([byCode.status, byLink.status].sort(), [303, 409]);
    assert.is(await ballotCount(p.full.s), 3);
    assert.not.ok(p.full.s.logs.some((l) => l.includes(code(a)) || l.includes(code(b).toLowerCase()) || l.includes(c.token)));
  });
});

fast.run();
