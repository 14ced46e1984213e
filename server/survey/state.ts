import type { Database } from '../db/schema.js';
import type { FormUnit } from './ballot.js';
import { FragmentCache } from './form-view.js';
import { GuessLimiter } from './guess-limit.js';
import { roundUnits } from './links.js';

/**
 * Per-instance survey state: blank form fragments and the token-guessing limiter (see their docs). One per server,
 * shared by the survey's routes and the ballot's fast path, so a guess counted by one is refused by the other.
 */
export interface SurveyState {
  fragments: FragmentCache;
  guesses: GuessLimiter;
}

export function newSurveyState(): SurveyState {
  return { fragments: new FragmentCache(), guesses: new GuessLimiter() };
}

/** The round's frozen units, read once per round and instance. */
export function surveyUnits(state: SurveyState, db: Database, roundId: string): Promise<FormUnit[]> {
  return state.fragments.units(roundId, () => roundUnits(db, roundId));
}
