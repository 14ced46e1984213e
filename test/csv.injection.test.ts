// Guards every CSV the product writes against formula injection (OWASP's rule): a cell that starts with =, +, -, @,
// a tab or a carriage return, or their full-width forms, is written with a leading apostrophe, except a valid
// number in a phone column. The importers take the apostrophe off again, so an exported file imports unchanged.
import { parse } from 'csv-parse/sync';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spreadsheetSafe, toCsv } from '../server/csv/read.js';
import { poolCsv } from '../server/pool/csv.js';
import { publishResults } from '../server/results/publish.js';
import { closeRound } from '../server/rounds/rounds.js';
import { loggedIn } from './helpers.js';
import { ok, openSurvey, smallPool, YEAR } from './survey-fixture.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';

/** What the report found unescaped, and the rest of the rule. */
const FORMULAS = ['-WEBSERVICE(D2)', '+HYPERLINK(D2)', '-NOW()', '=1+2', '@SUM(A1)', '\t=1', '\r=1', '＝1+2', '＋1', '－NOW()', '＠A1'];

/** Every cell of a CSV text, row by row, as a spreadsheet reads it. */
function cells(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: true }) as string[][];
}

/** No cell of `csv` starts as a formula would. */
function assertGuarded(csv: string, what: string) {
  for (const row of cells(csv)) for (const c of row) assert.not.match(c, /^[=+\-@\t\r＝＋－＠]/, `${what}: ${JSON.stringify(c)} in ${JSON.stringify(row)}`);
}

const rule = suite('the rule');

rule('every formula start is guarded, full-width forms included; a valid phone in a phone column is not', () => {
  for (const f of FORMULAS) assert.is(spreadsheetSafe(f), `'${f}`, JSON.stringify(f));
  assert.is(spreadsheetSafe('+86 138 0013 8000', { phone: true }), '+86 138 0013 8000');
  assert.is(spreadsheetSafe('+86 138 0013 8000'), "'+86 138 0013 8000", 'outside a phone column a plus is a plus');
  assert.is(spreadsheetSafe('-WEBSERVICE(D2)', { phone: true }), "'-WEBSERVICE(D2)", 'an invalid phone is guarded');
  assert.is(spreadsheetSafe('张三'), '张三');
  const csv = toCsv(['code', 'phone', 'note'], [['A', '+86 138 0013 8000', '+86 138 0013 8000']]);
  assert.equal(cells(csv)[1], ['A', '+86 138 0013 8000', "'+86 138 0013 8000"]);
});

rule.run();

const files = suite('every CSV the product writes');

files('pool.csv, links.csv and missing.csv carry hostile names and phones only as text', async () => {
  const s = await openSurvey({ units: [{ code: 'U1', name: '-NOW()', category: '+HYPERLINK(D2)', active: true }] });
  // Every representative's name becomes a formula (a name is one line, so not the tab and CR forms here), and the
  // export of a stored phone that is not a phone number is guarded too.
  const names = FORMULAS.filter((f) => !/[\t\r]/.test(f));
  const hostile = smallPool().map((r, i) => ({ ...r, name: names[i % names.length] as string }));
  await upsertRepresentatives(s.db, s.audit, hostile, { actor: 'test' });
  assertGuarded(
    poolCsv([...hostile, { ...hostile[0]!, code: 'X', name: '\t=1', phone: '-WEBSERVICE(D2)' }].map((r, i) => ({ ...r, id: String(i) }))),
    'pool.csv',
  );
  const b = await loggedIn(s);
  for (const path of [`/admin/rounds/${YEAR}/links.csv`, `/admin/rounds/${YEAR}/missing.csv`, '/admin/pool/export.csv']) {
    const res = await b.get(path);
    assert.is(res.status, 200, path);
    const csv = await res.text();
    assertGuarded(csv, path);
    assert.ok(csv.includes("'-WEBSERVICE(D2)") && csv.includes("'＝1+2"), `${path} still holds the names, as text`);
  }
});

files('the published results.csv guards unit names and categories', async () => {
  const s = await openSurvey({
    units: [
      { code: 'U1', name: '=1+2', category: '-NOW()', active: true },
      { code: 'U2', name: '＠A1', category: '-NOW()', active: true },
    ],
  });
  ok(await closeRound(s.store, s.audit, YEAR, 'test'));
  ok(await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'test'));
  const csv = await (await s.app.request(`/results/${YEAR}.csv`)).text();
  assertGuarded(csv, 'results.csv');
  assert.ok(csv.includes("'=1+2") && csv.includes("'＠A1") && csv.includes("'-NOW()"), csv);
});

files.run();
