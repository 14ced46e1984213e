import type { Store } from '../db/store.js';
import { designOf } from '../rounds/design.js';
import type { BallotForm } from './ballot.js';
import { FormPieces, PageBuffers, RoundForms } from './form-cache.js';
import { GuessLimiter } from './guess-limit.js';

/**
 * The survey's state in one server: the form's cached pieces, the rounds' units, reusable page buffers, and the
 * token-guessing limiter. One per server, shared by the survey's routes and the ballot's fast path, so a guess
 * counted by one is refused by the other.
 */
export interface SurveyState {
  pieces: FormPieces;
  forms: RoundForms;
  pages: PageBuffers;
  guesses: GuessLimiter;
}

export function newSurveyState(): SurveyState {
  return { pieces: new FormPieces(), forms: new RoundForms(), pages: new PageBuffers(), guesses: new GuessLimiter() };
}

/** The round's form (frozen units and ballot design), read once per round and server. */
export function surveyForm(state: SurveyState, store: Store, roundId: string): Promise<BallotForm> {
  return state.forms.get(roundId, async () => {
    const [units, round] = await Promise.all([
      store.roundUnits(roundId),
      store.db.selectFrom('rounds').select(['scale', 'indicators', 'strata_weights', 'reasons']).where('id', '=', roundId).executeTakeFirstOrThrow(),
    ]);
    const design = designOf(round);
    return { scale: round.scale, units, indicators: design.indicators.map(({ key, label }) => ({ key, label })), reasons: design.reasons };
  });
}

// The survey's state is one of the app's variables (set by createApp), declared here so that http/ knows nothing of it.
declare module '../http/context.js' {
  interface AppVariables {
    survey: SurveyState;
  }
}
