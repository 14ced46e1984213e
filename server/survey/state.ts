import type { Store } from '../db/store.js';
import type { FormUnit } from './ballot.js';
import { FormPieces, PageBuffers, RoundUnitLists } from './form-cache.js';
import { GuessLimiter } from './guess-limit.js';

/**
 * The survey's state in one server: the form's cached pieces, the rounds' units, reusable page buffers, and the
 * token-guessing limiter. One per server, shared by the survey's routes and the ballot's fast path, so a guess
 * counted by one is refused by the other.
 */
export interface SurveyState {
  pieces: FormPieces;
  units: RoundUnitLists;
  pages: PageBuffers;
  guesses: GuessLimiter;
}

export function newSurveyState(): SurveyState {
  return { pieces: new FormPieces(), units: new RoundUnitLists(), pages: new PageBuffers(), guesses: new GuessLimiter() };
}

/** The round's frozen units, read once per round and server. */
export function surveyUnits(state: SurveyState, store: Store, roundId: string): Promise<FormUnit[]> {
  return state.units.get(roundId, () => store.roundUnits(roundId));
}

// The survey's state is one of the app's variables (set by createApp), declared here so that http/ knows nothing of it.
declare module '../http/context.js' {
  interface AppVariables {
    survey: SurveyState;
  }
}
