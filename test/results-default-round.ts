// A round with the default ballot design, set up the same way every time, for the test that proves the design
// changed nothing it publishes: test/fixtures/results-default-round.json is what the code published before the
// ballot design existed (receipts, which are random, left out).
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { computeResults, type ResultsDocument } from '../server/results/snapshot.js';
import { fullBallot, ok, openSurvey, post } from './survey-fixture.js';

const ANSWERS = ['satisfied', 'satisfied', 'basic', 'dissatisfied', 'satisfied', 'unknown', 'basic'] as const;

/** Thirty ballots on the demo units (minValid 10), closed; the results as computed for version 1 at a fixed time. */
export async function defaultRoundResults(): Promise<{ doc: ResultsDocument; close: () => Promise<void> }> {
  const s = await openSurvey();
  await s.db.updateTable('rounds').set({ min_valid: 10 }).execute();
  for (const [i, token] of s.tokens.entries()) {
    const res = await post(
      s,
      token,
      fullBallot(s.units, (_c, k) => ANSWERS[(i * 5 + k * 3 + ((i * k) % 11)) % ANSWERS.length] as string),
    );
    if (res.status !== 303) throw new Error(`ballot ${i}: ${res.status}`);
  }
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  const round = (await findRound(s.db, 2026))!;
  const doc = await computeResults(s.db, round, { version: 1, publishedAt: '2026-04-01T02:00:00.000Z', note: null });
  return { doc: { ...doc, receipts: [] }, close: () => s.store.destroy() };
}
