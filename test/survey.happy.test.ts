// Guards the representative's way through the survey when all goes well (docs/SPEC.md, Anonymity and trust; README, Web pages and routes): the form at /s/{token}
// (grouped by category, shuffled per link, accessible markup, usable without JavaScript), a complete ballot stored
// exactly as given, the receipt, the used link's 409 page, score100 rounds, English and large text.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { acceptedEncoding } from '../server/http/compress.js';
import { receiptOf } from './child-server.js';
import { Browser } from './helpers.js';
import { attrs, CHOICES, fullBallot, mainText, openSurvey, post, tags, TITLE, unitBlocks, unitOrder, usedOn, type Survey } from './survey-fixture.js';

async function getForm(s: Survey, token: string, query = '') {
  const res = await s.app.request(`/s/${token}${query}`);
  return { status: res.status, html: await res.text() };
}

async function storedBallots(s: Survey) {
  const rows = await s.db.selectFrom('ballots').selectAll().execute();
  return rows.map((r) => ({ ...r, answers: JSON.parse(r.answers) as Record<string, unknown>, comments: JSON.parse(r.comments) as Record<string, string> }));
}

/** The receipt shown in the element with id="receipt". */
function shownReceipt(html: string): string | undefined {
  return /<[a-z]+\b[^>]*\bid="receipt"[^>]*>\s*([^<]*?)\s*</.exec(html)?.[1];
}

// ---------------------------------------------------------------------------------------------------------------
const form = suite('the survey form');

form('shows the title, the deadline in the city time zone, the instructions and every unit once', async () => {
  // The deadline is stored as UTC; 16:00 UTC on 30 March is midnight of 31 March in Shanghai.
  const s = await openSurvey({ closes: '2026-03-30T16:00:00Z' });
  const token = s.tokens[0] as string;
  const { status, html } = await getForm(s, token);
  assert.is(status, 200);
  assert.match(html, `<h1>${TITLE}</h1>`);
  const text = mainText(html);
  assert.match(text, '截止时间：2026-03-31 00:00', 'deadline shown in Asia/Shanghai');
  assert.not.match(text, '16:00', 'not in UTC');
  assert.match(text, '每个单位都需要选择一项', 'instructions');
  const codes = unitOrder(html);
  assert.is(codes.length, s.units.length, 'one fieldset per unit');
  assert.equal([...codes].sort(), s.units.map((u) => u.code).sort(), 'every unit exactly once');
});

form('groups units by category, categories in their fixed order, each unit under its own category', async () => {
  const s = await openSurvey();
  const { html } = await getForm(s, s.tokens[0] as string);
  const sections = [...html.matchAll(/<section class="category"><h2>([^<（(]+)[（(][^<]*<\/h2>([\s\S]*?)<\/section>/g)];
  // The fixed order is the order the categories were created in, not their alphabetical (code point) order.
  assert.equal(
    sections.map((m) => m[1]),
    ['综合管理部门', '行政执法部门', '公共服务部门'],
  );
  for (const m of sections) {
    const expected = s.units
      .filter((u) => u.category === m[1])
      .map((u) => u.code)
      .sort();
    assert.equal(unitOrder(m[2] as string).sort(), expected, `units of ${m[1]}`);
  }
});

form('each unit is a fieldset with its name as the legend and four labelled radio buttons', async () => {
  const s = await openSurvey();
  const { html } = await getForm(s, s.tokens[0] as string);
  const blocks = unitBlocks(html);
  assert.is(blocks.length, s.units.length);
  for (const b of blocks) {
    const unit = s.units.find((u) => u.code === b.code);
    assert.is(b.legend, unit?.name, `legend of ${b.code}`);
    const wrapped = [...b.html.matchAll(/<label\b[^>]*>\s*(<input\b[^>]*>)\s*<span>([^<]+)<\/span>\s*<\/label>/g)];
    const radios = wrapped.map((m) => attrs(m[1] as string)).filter((a) => a.type === 'radio');
    assert.is(radios.length, 4, `${b.code}: four radios, each inside a label`);
    assert.equal(
      radios.map((r) => r.value),
      [...CHOICES],
      `${b.code}: the four answers of the scale`,
    );
    assert.ok(
      radios.every((r) => r.name === `u.${b.code}`),
      `${b.code}: named u.{code}`,
    );
    assert.equal(
      wrapped.map((m) => m[2]),
      ['满意', '基本满意', '不满意', '不了解'],
      `${b.code}: visible labels`,
    );
    assert.is(tags(b.html, 'input').filter((i) => /type="radio"/.test(i)).length, 4, `${b.code}: no radio outside a label`);
    assert.equal(b.checked, [], 'nothing chosen in advance');
  }
});

form('order within a category differs between links and stays the same on reload', async () => {
  const s = await openSurvey();
  const [a, b] = s.tokens as [string, string];
  const first = unitOrder((await getForm(s, a)).html);
  const again = unitOrder((await getForm(s, a)).html);
  const other = unitOrder((await getForm(s, b)).html);
  assert.equal(again, first, 'a reload keeps the order');
  assert.not.equal(other, first, 'another link has another order');
  // A fresh app (a restart, an empty fragment cache) gives the same link the same order: it comes from the token.
  const s2 = await openSurvey();
  assert.equal(unitOrder((await getForm(s2, a)).html), first, 'derived from the token, not from memory');
  // The shuffle is real: across the links, the first unit of the first category is not always the same.
  const firsts = new Set<string>();
  for (const token of s.tokens.slice(0, 8)) firsts.add(unitOrder((await getForm(s, token)).html)[0] as string);
  assert.ok(firsts.size > 1, `first unit varies between links (${[...firsts].join(', ')})`);
});

form('is a plain POST form to its own link that a browser without JavaScript can fill in and send', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const { html } = await getForm(s, token);
  const formTag = attrs(tags(html, 'form').find((f) => /id="survey"/.test(f)) ?? '');
  assert.is(formTag.method, 'post');
  assert.is(formTag.action, `/s/${token}`);
  assert.not.ok('hidden' in formTag, 'the form is not hidden waiting for a script');
  const body = /<form\b[^>]*id="survey"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  assert.ok(
    tags(body, 'button').some((b) => attrs(b).type === 'submit'),
    'a real submit button inside the form',
  );
  for (const s of tags(html, 'script')) assert.is(attrs(s).type, 'module', 'scripts only enhance (modules, no inline code)');
  assert.not.match(html, /<script\b[^>]*>[^<]+<\/script>/, 'no inline script');

  // Fill the form as a browser without JavaScript would: the first radio of each group, every textarea as is.
  const fields = new URLSearchParams();
  const seen = new Set<string>();
  for (const input of tags(body, 'input').map(attrs)) {
    if (input.type === 'radio' && input.name && !seen.has(input.name)) {
      seen.add(input.name);
      fields.append(input.name, input.value ?? '');
    }
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) fields.append(attrs(m[1] as string).name ?? '', m[2] as string);
  const res = await post(s, token, fields.toString());
  assert.is(res.status, 303, 'the form as served is accepted');
});

// ---------------------------------------------------------------------------------------------------------------
const cast = suite('casting a ballot');

cast('a complete ballot answers 303 to the thank-you page, which shows the receipt in id="receipt"', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const b = new Browser(s);
  const res = await b.post(`/s/${token}`, fullBallot(s.units));
  assert.is(res.status, 303);
  const receipt = receiptOf(res);
  assert.ok(receipt, `redirects to /thanks with the receipt in its cookie (got ${res.headers.get('location')}, ${res.headers.getSetCookie().join(' | ')})`);
  const thanks = await b.follow(res);
  assert.is(thanks.status, 200);
  const html = await thanks.text();
  assert.is(shownReceipt(html), receipt, 'the same receipt on the page');
  const [row] = await storedBallots(s);
  assert.is(row?.receipt, receipt, 'the stored ballot carries that receipt');
});

cast('the stored ballot holds exactly the answers and comments given', async () => {
  const s = await openSurvey();
  const token = s.tokens[1] as string;
  const answers = fullBallot(s.units, (_, i) => CHOICES[(i * 7) % 4] as string);
  const comments = { 'c.U03': '窗口办事效率高，态度好。', 'c.U17': 'Needs <better> "signs" & maps', 'c.U40': '  trimmed  ' };
  const res = await post(s, token, { ...answers, ...comments, comment: '总体不错，希望继续改进。' });
  assert.is(res.status, 303);
  const rows = await storedBallots(s);
  assert.is(rows.length, 1);
  const row = rows[0] as (typeof rows)[number];
  assert.equal(row.answers, Object.fromEntries(s.units.map((u) => [u.code, answers[`u.${u.code}`]])));
  assert.equal(row.comments, { U03: '窗口办事效率高，态度好。', U17: 'Needs <better> "signs" & maps', U40: 'trimmed' });
  assert.is(row.comment, '总体不错，希望继续改进。', 'overall comment stored');
});

cast('blank comments are not stored; no overall comment is stored as null', async () => {
  const s = await openSurvey();
  const res = await post(s, s.tokens[2] as string, { ...fullBallot(s.units), 'c.U05': '   ', comment: '' });
  assert.is(res.status, 303);
  const [row] = await storedBallots(s);
  assert.equal(row?.comments, {});
  assert.is(row?.comment, null);
});

cast('the link is marked used on the local date of the city (just after midnight in Shanghai)', async () => {
  const s = await openSurvey();
  const token = s.tokens[3] as string;
  // 16:30 UTC on 10 March is 00:30 on 11 March in Shanghai: a UTC date would say the 10th.
  s.clock.set('2026-03-10T16:30:00Z');
  assert.is(await usedOn(s, token), null, 'unused before');
  const res = await post(s, token, fullBallot(s.units));
  assert.is(res.status, 303);
  assert.is(await usedOn(s, token), '2026-03-11');
});

cast('opening the link again answers 409 with the date it was used and nothing of the ballot', async () => {
  const s = await openSurvey();
  const token = s.tokens[4] as string;
  s.clock.set('2026-03-10T16:30:00Z');
  const sent = await post(s, token, { ...fullBallot(s.units), 'c.U01': '独特的意见文本甲', comment: '独特的总体意见乙' });
  assert.is(sent.status, 303);
  const receipt = receiptOf(sent) as string;
  s.clock.advance(3 * 24 * 3600_000);
  for (const method of ['GET', 'POST'] as const) {
    const res =
      method === 'GET'
        ? await s.app.request(`/s/${token}`)
        : await post(
            s,
            token,
            fullBallot(s.units, () => 'basic'),
          );
    assert.is(res.status, 409, method);
    const html = await res.text();
    assert.match(mainText(html), '2026-03-11', `${method}: the date it was used`);
    assert.not.match(html, '独特的意见文本甲', `${method}: no unit comment`);
    assert.not.match(html, '独特的总体意见乙', `${method}: no overall comment`);
    assert.not.match(html, receipt, `${method}: no receipt`);
    assert.not.match(html, /<fieldset|<input type="radio"|\bchecked\b/, `${method}: no answers, no form`);
    assert.not.match(mainText(html), /\d\d:\d\d/, `${method}: a date, not a time`);
  }
  assert.is((await storedBallots(s)).length, 1, 'the second POST stored nothing');
});

// ---------------------------------------------------------------------------------------------------------------
const score = suite('score100 rounds');

score('the form has a number field 0–100 and a "don\'t know" box per unit', async () => {
  const s = await openSurvey({ scale: 'score100' });
  const { status, html } = await getForm(s, s.tokens[0] as string);
  assert.is(status, 200);
  const blocks = unitBlocks(html);
  assert.is(blocks.length, s.units.length);
  for (const b of blocks) {
    const inputs = tags(b.html, 'input').map(attrs);
    const number = inputs.find((i) => i.type === 'number');
    assert.ok(number, `${b.code}: a number field`);
    assert.is(number?.name, `u.${b.code}`);
    assert.is(number?.min, '0');
    assert.is(number?.max, '100');
    assert.ok(number?.id && new RegExp(`<label\\b[^>]*for="${number.id}"`).test(b.html), `${b.code}: the number field has a label`);
    assert.ok(/<label\b[^>]*>\s*<input\b[^>]*value="unknown"/.test(b.html), `${b.code}: a labelled "unknown" choice`);
  }
});

score('numbers 0–100 and unknown are accepted and stored as numbers and "unknown"', async () => {
  const s = await openSurvey({ scale: 'score100' });
  const values = ['0', '100', '59', 'unknown', ' 73 '];
  const fields = Object.fromEntries(s.units.map((u, i) => [`u.${u.code}`, values[i % values.length] as string]));
  const res = await post(s, s.tokens[0] as string, { ...fields, comment: '整体满意' });
  assert.is(res.status, 303);
  const [row] = await storedBallots(s);
  assert.equal(row?.answers, Object.fromEntries(s.units.map((u, i) => [u.code, [0, 100, 59, 'unknown', 73][i % values.length]])));
  assert.is(row?.comment, '整体满意');
});

score('a browser that sends an empty number field with the box ticked gives "unknown"', async () => {
  const s = await openSurvey({ scale: 'score100', units: demoUnits().slice(0, 3) });
  // Without JavaScript, the number field is always sent (empty), and the ticked box adds "unknown".
  const body = 'u.U01=&u.U01=unknown&u.U02=88&u.U03=5';
  const res = await post(s, s.tokens[0] as string, body);
  assert.is(res.status, 303);
  const [row] = await storedBallots(s);
  assert.equal(row?.answers, { U01: 'unknown', U02: 88, U03: 5 });
});

// ---------------------------------------------------------------------------------------------------------------
const pages = suite('language and text size');

pages('?lang=en shows the form in English and keeps English through to the receipt', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const b = new Browser(s);
  const res = await b.get(`/s/${token}?lang=en`);
  assert.is(res.status, 200);
  const html = await res.text();
  assert.match(tags(html, 'html')[0] ?? '', 'lang="en"');
  const text = mainText(html);
  assert.match(text, 'Deadline: 2026-03-31 00:00');
  assert.match(text, 'Basically satisfied');
  assert.match(text, "Don't know");
  assert.match(text, 'Send my ballot');
  const thanks = await b.follow(await b.post(`/s/${token}`, fullBallot(s.units)));
  assert.is(thanks.status, 200);
  assert.match(mainText(await thanks.text()), 'Your receipt code', 'the language is remembered');
});

pages('zh-CN is the default, and the large-text switch marks the page', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const plain = await getForm(s, token);
  assert.match(tags(plain.html, 'html')[0] ?? '', 'lang="zh-CN"');
  assert.not.match(tags(plain.html, 'html')[0] ?? '', 'large-text');
  const large = await getForm(s, token, '?text=large');
  assert.is(large.status, 200);
  assert.match(tags(large.html, 'html')[0] ?? '', 'large-text');
  assert.equal(unitOrder(large.html), unitOrder(plain.html), 'same form, larger text');
});

const compressed = suite('the form compressed for slow networks');

compressed('Accept-Encoding decides: brotli first, then gzip; q=0 refuses; none, or an unknown coding, gets the page as it is', () => {
  const cases: [string | undefined, ReturnType<typeof acceptedEncoding>][] = [
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['identity', undefined],
    ['deflate', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) assert.is(acceptedEncoding(header), expected, String(header));
});

compressed('the blank form comes compressed when asked, the same page once decompressed, and says it varies', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const plain = await s.app.request(`/s/${token}`);
  const html = await plain.text();
  assert.is(plain.headers.get('content-encoding'), null);
  assert.match(plain.headers.get('vary') ?? '', 'Accept-Encoding');
  for (const [accept, encoding, decode] of [
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['gzip, deflate', 'gzip', gunzipSync],
  ] as const) {
    const res = await s.app.request(`/s/${token}`, { headers: { 'accept-encoding': accept } });
    assert.is(res.headers.get('content-encoding'), encoding, accept);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.ok(bytes.length * 5 < Buffer.byteLength(html), `${encoding}: ${bytes.length} bytes for ${Buffer.byteLength(html)}`);
    assert.is(decode(bytes).toString(), html, `${encoding}: the same page`);
  }
  // A page with a query repeats it in its links: it is never compressed (nothing the request chose shares a
  // compressed answer with the token).
  const withQuery = await s.app.request(`/s/${token}?text=large`, { headers: { 'accept-encoding': 'gzip, br' } });
  assert.is(withQuery.headers.get('content-encoding'), null);
});

form.run();
cast.run();
score.run();
pages.run();
compressed.run();
