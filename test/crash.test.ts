// Guards docs/SPEC.md, Decisions and their reasons Reliability "a crash at any moment leaves no half-cast ballot": the real server, in its own
// process, is killed with SIGKILL (no shutdown code runs) in the middle of a burst of ballot submissions, started
// again on the same data, and the database is checked: every acknowledged ballot is stored, and casting is
// all or nothing (the link marked used and the ballot stored together, or neither).
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dialectOf } from '../server/db/dialect.js';
import type { Database } from '../server/db/schema.js';
import { tokenHash } from '../server/links/tokens.js';
import {
  ballotBody,
  prepareInstallation,
  receiptOf,
  startChildServer,
  submit,
  YEAR,
  type ChildServer,
  type Installation,
  openPlace,
  type Place,
} from './child-server.js';

const LINKS = 400;
/** Links submitted; the rest are never sent, so a fresh one is always at hand. */
const BURST = 360;
/** Submissions in flight at any time, each connection sending its next ballot as soon as the last is answered. */
const IN_FLIGHT = 50;
/** SIGKILL as soon as this many answers have come back. */
const KILL_AFTER = 100;

interface Sent {
  token: string;
  status: number | 'no answer';
  receipt: string | undefined;
}

interface Stored {
  ballots: number;
  usedLinks: number;
  receipts: Set<string>;
  usedHashes: Set<string>;
  integrity: string;
}

async function readStored(place: Place): Promise<Stored> {
  const db: Database = (await openPlace(place)).db;
  try {
    const round = await db.selectFrom('rounds').select('id').where('year', '=', YEAR).executeTakeFirstOrThrow();
    const ballots = await db.selectFrom('ballots').select('receipt').where('round_id', '=', round.id).execute();
    const used = await db.selectFrom('round_links').select('token_hash').where('round_id', '=', round.id).where('used_on', 'is not', null).execute();
    // SQLite checks its file on request; PostgreSQL checks its own pages as it reads them (and has no such command).
    const integrity =
      dialectOf(db) === 'sqlite' ? await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db) : { rows: [{ integrity_check: 'ok' }] };
    return {
      ballots: ballots.length,
      usedLinks: used.length,
      receipts: new Set(ballots.map((b) => b.receipt)),
      usedHashes: new Set(used.map((u) => u.token_hash)),
      integrity: integrity.rows.map((r) => r.integrity_check).join('; '),
    };
  } finally {
    await db.destroy();
  }
}

/**
 * The invariant of casting. Ballots carry no link (docs/SPEC.md, Anonymity and trust, anonymity), so no row says which link a ballot
 * belongs to; what the file can show is that the two sides of the one transaction agree in number: every used
 * link has its ballot and every ballot its used link exactly when count(used links) == count(ballots). A link
 * marked used without its ballot, or a ballot without its link, would make the counts differ.
 */
function assertConsistent(s: Stored, what: string) {
  assert.is(s.integrity, 'ok', `${what}: PRAGMA integrity_check`);
  assert.is(s.usedLinks, s.ballots, `${what}: links marked used (${s.usedLinks}) == ballots stored (${s.ballots})`);
}

const crash = suite('crash safety: SIGKILL during a burst of submissions');

let inst: Installation;
let server: ChildServer | undefined;

crash.before(async () => {
  inst = await prepareInstallation({ links: LINKS });
});

crash.after(async () => {
  await server?.kill('SIGKILL');
  inst?.cleanup();
});

crash('every acknowledged ballot survives; no used link without its ballot, no ballot without its used link', async () => {
  server = await startChildServer(inst);
  const victim = server;
  const tokens = inst.tokens.slice(0, BURST);
  let answered = 0;
  let killing: Promise<void> | undefined;
  // Each submission on its own link, IN_FLIGHT at a time; the server is killed when the KILL_AFTER-th answer
  // arrives, with submissions in flight and links still to send. (Firing all at once, the test's own process read
  // the answers so late that the server had sometimes answered every one before the kill.)
  const sent: Sent[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tokens.length; i = next++) {
      const token = tokens[i] as string;
      try {
        const res = await submit(victim.base, token, ballotBody(inst.units, i));
        if (++answered === KILL_AFTER) killing = victim.kill('SIGKILL');
        sent.push({ token, status: res.status, receipt: receiptOf(res) });
      } catch {
        sent.push({ token, status: 'no answer', receipt: undefined });
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await killing;
  await victim.kill('SIGKILL');

  const acked = sent.filter((s) => s.status === 303);
  const unanswered = sent.filter((s) => s.status === 'no answer');
  const other = sent.filter((s) => s.status !== 303 && s.status !== 'no answer');
  assert.equal(
    other.map((s) => s.status),
    [],
    'every answer before the kill was an acknowledgement (303)',
  );
  assert.ok(acked.length >= KILL_AFTER, `at least ${KILL_AFTER} acknowledged (${acked.length})`);
  assert.ok(unanswered.length > 0, `the kill came mid-burst: ${unanswered.length} of ${BURST} submissions got no answer`);
  assert.ok(
    acked.every((s) => s.receipt),
    'each acknowledgement carried a receipt',
  );

  // Started again on the same data: SQLite recovers the WAL of the killed process on open.
  server = await startChildServer(inst);
  const after = await readStored(inst);
  assertConsistent(after, 'after the crash');
  const lost = acked.filter((s) => !after.receipts.has(s.receipt as string));
  assert.equal(
    lost.map((s) => s.receipt),
    [],
    'every acknowledged receipt is in ballots',
  );
  assert.ok(
    acked.every((s) => after.usedHashes.has(tokenHash(s.token))),
    'every acknowledged link is marked used',
  );
  // Some submissions may have been committed after their answer was lost in the kill; never more than were sent.
  assert.ok(
    after.ballots >= acked.length && after.ballots <= acked.length + unanswered.length,
    `ballots ${after.ballots} between ${acked.length} and ${acked.length + unanswered.length}`,
  );
  console.log(`  (sent ${BURST}, acknowledged ${acked.length}, no answer ${unanswered.length}, stored ${after.ballots})`);

  // The restarted server agrees: an acknowledged link is used (409) …
  const again = await submit(server.base, (acked[0] as Sent).token, ballotBody(inst.units, 1));
  assert.is(again.status, 409, 'an acknowledged link submitted again');
  // … and a link whose submission died with the server, not stored, still works.
  const notStored = unanswered.find((s) => !after.usedHashes.has(tokenHash(s.token)));
  const retry = notStored?.token ?? (inst.tokens[BURST] as string);
  const res = await submit(server.base, retry, ballotBody(inst.units, 2));
  assert.is(res.status, 303, `a link that was ${notStored ? 'in flight at the kill' : 'never sent'} and not stored still works`);
  const receipt = receiptOf(res) as string;

  // Checked once more after a clean stop: the new ballot went in whole, and the file is sound.
  await server.stop();
  server = undefined;
  const final = await readStored(inst);
  assertConsistent(final, 'after the retry');
  assert.is(final.ballots, after.ballots + 1, 'one more ballot');
  assert.ok(final.receipts.has(receipt), 'the retried ballot is stored');
});

crash.run();
