// Guards the rounds console (/admin/rounds...): create, settings, freeze, draw, open, close, replace, re-issue,
// each with CSRF, a ticked confirmation where the step cannot be undone, and refusals shown on the round page.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import type { DrawRecord } from '../server/draw/record.js';
import { upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { findRound } from '../server/rounds/rounds.js';
import { upsertUnits } from '../server/units/units.js';
import { Browser, countRows, createTestApp, loggedIn, type TestApp } from './helpers.js';

type Admin = Awaited<ReturnType<typeof loggedIn>>;

function people(sizes: Record<string, number>): RepresentativeInput[] {
  return Object.entries(sizes).flatMap(([stratum, n]) =>
    Array.from({ length: n }, (_, i) => ({
      code: `${stratum}${String(i).padStart(3, '0')}`,
      name: `Person ${stratum}${i}`,
      stratum,
      district: null,
      phone: null,
      email: null,
      active: true,
    })),
  );
}

/** A logged-in administrator reading the console in English; units and a pool of 20 (MIN_POOL 10). */
async function setup(opts: { pool?: RepresentativeInput[]; minPool?: number } = {}): Promise<{ t: TestApp; b: Admin }> {
  const t = await createTestApp({ config: { minPool: opts.minPool ?? 10 } });
  await upsertUnits(t.db, t.audit, demoUnits().slice(0, 5), 'test');
  await upsertRepresentatives(t.db, t.audit, opts.pool ?? people({ A: 12, B: 8 }), { actor: 'test' });
  const b = await loggedIn(t);
  b.cookies.set('lang', 'en');
  return { t, b };
}

const FORM = {
  year: '2026',
  title: 'The 2026 evaluation',
  sample: '5',
  scale: 'satisfaction4',
  points: '100,70,30',
  stratify: '1',
  stratifyShown: '1',
  bottomScope: 'overall',
  minValid: '30',
  opens: '2026-12-01T09:00:00+08:00',
  closes: '2026-12-20T18:00:00+08:00',
};

async function create(b: Admin, over: Record<string, string> = {}) {
  return b.post('/admin/rounds', { ...FORM, _csrf: b.token, ...over });
}

/** POSTs a lifecycle action with the CSRF token (and `confirm=1` unless told otherwise). */
async function act(b: Admin, action: string, fields: Record<string, string> = {}, confirm = true) {
  return b.post(`/admin/rounds/2026/${action}`, { _csrf: b.token, ...(confirm ? { confirm: '1' } : {}), ...fields });
}

async function status(t: TestApp) {
  return (await findRound(t.db, 2026))?.status;
}

/** The problems listed at the top of a page, as text. */
function problems(html: string): string[] {
  const box = /<div class="problems"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
  return [...box.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) =>
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

async function drawnRound() {
  const { t, b } = await setup();
  assert.is((await create(b)).status, 303);
  assert.is((await act(b, 'freeze')).status, 303);
  assert.is((await act(b, 'draw', { publicRandom: '3 1 4 1 5', source: 'lottery 2026001' })).status, 303);
  const rec = (await (await t.app.request('/draw/2026.json')).json()) as DrawRecord;
  return { t, b, rec };
}

// ---- create and settings ----

const make = suite('rounds console: create a round and change its settings');

make("POST /admin/rounds creates a draft with the form's settings and redirects to its page", async () => {
  const { t, b } = await setup();
  const res = await create(b, { stratify: '', stratifyShown: '1', bottomScope: 'category', scale: 'score100', minValid: '12' });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin/rounds/2026?done=created');
  const page = await b.follow(res);
  assert.is(page.status, 200);
  const html = await page.text();
  assert.ok(html.includes('Round 2026 created.'));
  assert.ok(html.includes('The 2026 evaluation'));
  const round = (await findRound(t.db, 2026))!;
  assert.equal(
    [
      round.status,
      round.title,
      round.sample_size,
      round.scale,
      round.points,
      round.stratify,
      round.bottom_scope,
      round.min_valid,
      round.opens_at,
      round.closes_at,
    ],
    ['draft', 'The 2026 evaluation', 5, 'score100', '100,70,30', 0, 'category', 12, '2026-12-01T09:00:00+08:00', '2026-12-20T18:00:00+08:00'],
  );
  const list = await (await b.get('/admin/rounds')).text();
  assert.ok(list.includes('<a href="/admin/rounds/2026">2026</a>'));
  const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'round.create').executeTakeFirstOrThrow();
  assert.is(audit.actor, 'admin');
});

make('the empty form fields take the defaults: opening and closing times in the city zone', async () => {
  const { t, b } = await setup();
  assert.is((await b.post('/admin/rounds', { _csrf: b.token, year: '2027', stratify: '1', stratifyShown: '1', opens: '', closes: '' })).status, 303);
  const round = (await findRound(t.db, 2027))!;
  assert.equal(
    [round.sample_size, round.points, round.stratify, round.opens_at, round.closes_at],
    [1000, '100,70,30', 1, '2027-12-01T09:00:00+08:00', '2027-12-20T18:00:00+08:00'],
  );
});

make('bad input answers 422 with every problem, keeps what was typed, and creates nothing', async () => {
  const { t, b } = await setup();
  const before = await countRows(t.db, 'audit_log');
  const res = await create(b, { year: '20x6', points: '100,110,30', scale: 'stars', opens: '2026-12-10T09:00:00+08:00', closes: '2026-12-01T09:00:00+08:00' });
  assert.is(res.status, 422);
  const html = await res.text();
  assert.equal(problems(html), [
    'the year must be a whole number from 2000 to 2100',
    'the scale must be satisfaction4 or score100',
    'points must be three numbers from 0 to 100, separated by commas, not increasing (like 100,70,30)',
    'the closing time must be ISO-8601 with an offset, and later than the opening time',
  ]);
  assert.match(html, /<input id="year" name="year"[^>]*value="20x6"[^>]*aria-invalid="true"/);
  assert.match(html, /<input id="closes" name="closes" value="2026-12-01T09:00:00\+08:00"[^>]*aria-invalid="true"/);
  assert.is((await t.db.selectFrom('rounds').selectAll().execute()).length, 0);
  assert.is(await countRows(t.db, 'audit_log'), before);

  assert.is((await create(b)).status, 303);
  const again = await create(b);
  assert.is(again.status, 422);
  assert.equal(problems(await again.text()), ['a round for 2026 already exists']);
});

make('without the CSRF token, or anonymously, nothing is created', async () => {
  const { t, b } = await setup();
  assert.is((await b.post('/admin/rounds', { ...FORM })).status, 403);
  assert.is((await b.post('/admin/rounds', { ...FORM, _csrf: 'wrong' })).status, 403);
  const anon = new Browser(t);
  assert.is((await anon.post('/admin/rounds', { ...FORM, _csrf: b.token })).status, 403);
  assert.is((await anon.get('/admin/rounds')).status, 302);
  assert.is((await anon.get('/admin/rounds/2026')).status, 302);
  assert.is((await t.db.selectFrom('rounds').selectAll().execute()).length, 0);
});

make("a draft's settings change; once frozen they are refused with 422 and the reason, and stay", async () => {
  const { t, b } = await setup();
  await create(b);
  const saved = await b.post('/admin/rounds/2026/settings', { _csrf: b.token, title: 'Renamed', sample: '6', stratify: '1', stratifyShown: '1' });
  assert.is(saved.status, 303);
  assert.ok((await (await b.follow(saved)).text()).includes('Settings saved.'));
  assert.equal([(await findRound(t.db, 2026))!.title, (await findRound(t.db, 2026))!.sample_size], ['Renamed', 6]);
  const bad = await b.post('/admin/rounds/2026/settings', { _csrf: b.token, points: '1,2,3' });
  assert.is(bad.status, 422);
  assert.equal(problems(await bad.text()), ['points must be three numbers from 0 to 100, separated by commas, not increasing (like 100,70,30)']);

  assert.is((await act(b, 'freeze')).status, 303);
  const locked = await b.post('/admin/rounds/2026/settings', { _csrf: b.token, sample: '3' });
  assert.is(locked.status, 422);
  const html = await locked.text();
  assert.equal(problems(html), ['The pool of round 2026 is already frozen (status: frozen); its settings can no longer change.']);
  assert.is((await findRound(t.db, 2026))!.sample_size, 6);
  const page = await (await b.get('/admin/rounds/2026')).text();
  assert.ok(page.includes('Settings cannot change once the pool is frozen.'));
  assert.match(page, /<input id="sample" name="sample"[^>]*disabled/);
});

make('an unknown or malformed year is 404', async () => {
  const { b } = await setup();
  for (const path of ['/admin/rounds/2031', '/admin/rounds/20x6', '/admin/rounds/2031/letters']) assert.is((await b.get(path)).status, 404, path);
  assert.is((await b.post('/admin/rounds/2031/freeze', { _csrf: b.token, confirm: '1' })).status, 404);
});

make.run();

// ---- the lifecycle through the console ----

const flow = suite('rounds console: freeze, draw, open, close');

flow('freeze needs the ticked confirmation (400 without), then shows the pool hash', async () => {
  const { t, b } = await setup();
  await create(b);
  const before = await countRows(t.db, 'audit_log');
  assert.is((await act(b, 'freeze', {}, false)).status, 400);
  assert.is((await act(b, 'freeze', { confirm: '0' }, false)).status, 400);
  assert.is(await status(t), 'draft');
  assert.is(await countRows(t.db, 'audit_log'), before);

  const res = await act(b, 'freeze');
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin/rounds/2026?done=frozen');
  const hash = (await findRound(t.db, 2026))!.pool_hash!;
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.ok((await (await b.follow(res)).text()).includes(`Pool frozen; fingerprint ${hash}`));
  const page = await (await b.get('/admin/rounds/2026')).text();
  assert.ok(page.includes(hash), 'the round page shows the pool hash');
  assert.ok(page.includes('action="/admin/rounds/2026/draw"'), 'the next step is offered');
  assert.not.ok(page.includes('action="/admin/rounds/2026/freeze"'));
});

flow('a refused freeze (pool too small) is 422 on the round page, with the numbers', async () => {
  const { t, b } = await setup({ minPool: 3000 });
  await create(b);
  const res = await act(b, 'freeze');
  assert.is(res.status, 422);
  const html = await res.text();
  assert.equal(problems(html), ['There are only 20 active representatives and at least 3000 are needed; the pool cannot be frozen yet.']);
  assert.ok(html.includes('<h1>2026 · The 2026 evaluation</h1>'), 'it is the round page');
  assert.is(await status(t), 'draft');
});

flow('draw: confirmation, a public value, then the seed on the page; refusals before the freeze and twice', async () => {
  const { t, b } = await setup();
  await create(b);
  const early = await act(b, 'draw', { publicRandom: '1 2 3' });
  assert.is(early.status, 422);
  assert.equal(problems(await early.text()), ['Round 2026 is not frozen (status: draft). Freeze the pool and publish its fingerprint before drawing.']);
  await act(b, 'freeze');
  assert.is((await act(b, 'draw', { publicRandom: '1 2 3' }, false)).status, 400);
  const empty = await act(b, 'draw', { publicRandom: '' });
  assert.is(empty.status, 422);
  assert.equal(problems(await empty.text()), ['enter the public random value (1–500 characters)']);
  assert.is(await status(t), 'frozen');

  const res = await act(b, 'draw', { publicRandom: '1 2 3', source: 'lottery 2026001' });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin/rounds/2026?done=drawn&n=5');
  const round = (await findRound(t.db, 2026))!;
  assert.equal([round.status, round.public_random, round.public_random_source], ['drawn', '1 2 3', 'lottery 2026001']);
  const after = await (await b.follow(res)).text();
  assert.ok(after.includes(`Drawn: seed ${round.seed}, 5 representatives.`));
  const twice = await act(b, 'draw', { publicRandom: '1 2 4' });
  assert.is(twice.status, 422);
  assert.equal(problems(await twice.text()), [`Round 2026 was already drawn (${round.drawn_at}); a draw cannot be repeated.`]);
  assert.is((await findRound(t.db, 2026))!.seed, round.seed);
});

flow('the round page itself shows the seed after the draw (not only in the one-time notice)', async () => {
  const { t, b } = await drawnRound();
  const round = (await findRound(t.db, 2026))!;
  const page = await (await b.get('/admin/rounds/2026')).text();
  assert.ok(page.includes(round.pool_hash!), 'pool hash');
  assert.ok(page.includes('3 1 4 1 5'), 'public random value');
  assert.ok(page.includes(round.seed!), 'seed on the round page');
});

flow('open before the draw is refused; open, close (with confirmation), reopen', async () => {
  const { t, b } = await setup();
  await create(b);
  await act(b, 'freeze');
  const early = await act(b, 'open');
  assert.is(early.status, 422);
  assert.equal(problems(await early.text()), ['Round 2026 has not been drawn (status: frozen); it cannot open before the draw.']);
  await act(b, 'draw', { publicRandom: 'x' });
  const closeEarly = await act(b, 'close');
  assert.is(closeEarly.status, 422);
  assert.equal(problems(await closeEarly.text()), ['Round 2026 is drawn; only an open round can be closed.']);

  const opened = await act(b, 'open', {}, false);
  assert.is(opened.status, 303);
  assert.ok((await (await b.follow(opened)).text()).includes('The round is open.'));
  assert.is(await status(t), 'open');
  assert.is((await act(b, 'close', {}, false)).status, 400, 'closing asks for a confirmation');
  assert.is(await status(t), 'open');
  const closed = await act(b, 'close');
  assert.is(closed.status, 303);
  assert.ok((await (await b.follow(closed)).text()).includes('The round is closed.'));
  assert.is(await status(t), 'closed');
  assert.is((await act(b, 'open')).status, 303, 'a closed round may open again');
  const actions = (await t.db.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'round.%').orderBy('seq').execute()).map(
    (r) => `${r.action}:${r.actor}`,
  );
  assert.equal(actions, ['round.create:admin', 'round.freeze:admin', 'round.draw:admin', 'round.open:admin', 'round.close:admin', 'round.open:admin']);
});

flow('replace and re-issue through the console: confirmation, notice, refusal with the reason', async () => {
  const { t, b, rec } = await drawnRound();
  const out = rec.sample![0]!;
  const stratum = rec.pool.find((p) => p.code === out)!.stratum;
  const next = rec.reserves![stratum]![0]!;
  assert.is((await act(b, 'replace', { code: out, reason: 'moved away' }, false)).status, 400);
  const res = await act(b, 'replace', { code: ` ${out} `, reason: 'moved away' });
  assert.is(res.status, 303);
  assert.ok((await (await b.follow(res)).text()).includes(`${out} replaced by reserve ${next}.`));
  const json = (await (await t.app.request('/draw/2026.json')).json()) as DrawRecord;
  assert.equal(json.replacements, [{ out, in: next, reason: 'moved away', date: '2026-03-01' }]);

  const again = await act(b, 'replace', { code: out, reason: 'moved away' });
  assert.is(again.status, 422);
  assert.equal(problems(await again.text()), [`${out} does not hold a seat in round 2026`]);
  const noReason = await act(b, 'replace', { code: rec.sample![1]!, reason: '' });
  assert.is(noReason.status, 422);
  assert.equal(problems(await noReason.text()), ['give a reason (1–200 characters)']);

  const code = rec.sample![1]!;
  assert.is((await act(b, 'reissue', { code }, false)).status, 400);
  const re = await act(b, 'reissue', { code });
  assert.is(re.status, 303);
  assert.ok((await (await b.follow(re)).text()).includes(`A new link was issued for ${code}; the old one no longer works.`));
  const link = await t.db.selectFrom('round_links').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
  assert.is(link.generation, 2);
  const bad = await act(b, 'reissue', { code: 'NOBODY' });
  assert.is(bad.status, 422);
  assert.equal(problems(await bad.text()), ['NOBODY does not hold a seat in round 2026']);
});

flow('the round page offers only the next steps, and the links once drawn', async () => {
  const { b } = await drawnRound();
  const page = await (await b.get('/admin/rounds/2026')).text();
  assert.ok(page.includes('href="/admin/rounds/2026/links.csv"'));
  assert.ok(page.includes('href="/admin/rounds/2026/letters"'));
  for (const action of ['open', 'replace', 'reissue']) assert.ok(page.includes(`action="/admin/rounds/2026/${action}"`), action);
  for (const action of ['freeze', 'draw', 'close']) assert.not.ok(page.includes(`action="/admin/rounds/2026/${action}"`), action);
  assert.ok(page.includes('<caption>Turnout</caption>'));
});

flow.run();
