import type { Clock } from '../clock.js';
import { acceptsBallot, type LinkRow, type Store } from '../db/store.js';
import { codeHash, normaliseCode } from '../links/codes.js';
import { TOKEN_PATTERN, tokenHash } from '../links/tokens.js';
import {
  ballotDraft,
  ballotFields,
  dissatisfiedUnits,
  parseBallot,
  type BallotDraft,
  type BallotFields,
  type BallotForm,
  type FieldProblem,
  type ValidBallot,
} from './ballot.js';
import { castOnLink, castStraight, type LinkState } from './cast.js';
import { surveyForm, type SurveyState } from './state.js';

/*
 * The rules a representative's request is decided by, in one place for both of the ballot's entrances: the Hono
 * route (survey/routes.tsx), which renders every answer, and the fast path (survey/fast-path.ts), which answers an
 * accepted ballot itself and hands everything else on to the route. Nothing here writes anything but the ballot:
 * a refusal's side effects (counting a guess) belong to the page that shows it, so a request decided twice (once by
 * the fast path, once by the route it was handed to) counts once.
 */

export interface SurveyDeps {
  store: Store;
  survey: SurveyState;
  clock: Clock;
  timeZone: string;
}

/**
 * How a request names its seat, as its address does: the link's token (`/s/{token}`) or its 测评码 (`/k/{code}`,
 * the code in its canonical form when it has one). Both name the same link, decided by the same rules below.
 */
export type SeatKey = { via: 'link'; token: string } | { via: 'code'; code: string };

/** A code as typed in an address, in its canonical form when it has one (else as given, which no link has). */
export function codeKey(typed: string): SeatKey {
  return { via: 'code', code: normaliseCode(typed) ?? typed };
}

/** The address of a seat's form, to which it posts back. */
export function seatPath(key: SeatKey): string {
  return key.via === 'link' ? `/s/${key.token}` : `/k/${key.code}`;
}

/** The secret part of that address: the token or the code. */
export function seatSecret(key: SeatKey): string {
  return key.via === 'link' ? key.token : key.code;
}

/** The active link a key names; a key of the wrong shape is refused before the database is asked. */
function findSeat(store: Store, key: SeatKey): Promise<LinkRow | undefined> {
  if (key.via === 'link') return TOKEN_PATTERN.test(key.token) ? store.findLink(tokenHash(key.token)) : Promise.resolve(undefined);
  const code = normaliseCode(key.code);
  return code ? store.findLinkByCode(codeHash(code)) : Promise.resolve(undefined);
}

/** Why a link cannot be used now; each has its page. */
export type LinkRefusal =
  /** Not a link, from an address that has guessed too often: 429. */
  | { kind: 'blocked'; minutes: number }
  /** Not a link or code (unknown, malformed or re-issued): 404, counted as a guess. */
  | { kind: 'unknown' }
  /** Used: 409 with the date only. */
  | { kind: 'used'; link: LinkState }
  /** The round is not open now: 410. */
  | { kind: 'closed'; link: LinkState }
  /** The seat answers on paper (server/paper/): 410, saying so. */
  | { kind: 'paper'; link: LinkState };

export type LinkDecision = { ok: true; link: LinkState } | { ok: false; refusal: LinkRefusal };

/**
 * The link behind a token or code, if a ballot may be cast on it now. An address that has tried too many unknown
 * tokens or codes (one count for both) is refused anything else, but a valid link still works from it: the limit is
 * there to stop guessing, and a school or an office behind one address must not lock out its own representatives.
 */
export async function openLink(deps: SurveyDeps, key: SeatKey, address: string): Promise<LinkDecision> {
  const link = await findSeat(deps.store, key);
  const now = deps.clock.now().getTime();
  if (!link) {
    const minutes = deps.survey.guesses.blockedMinutes(address, now);
    return { ok: false, refusal: minutes > 0 ? { kind: 'blocked', minutes } : { kind: 'unknown' } };
  }
  if (link.usedOn) return { ok: false, refusal: { kind: 'used', link } };
  if (link.paper) return { ok: false, refusal: { kind: 'paper', link } };
  if (!acceptsBallot(link, now)) return { ok: false, refusal: { kind: 'closed', link } };
  return { ok: true, link };
}

/** A submitted form as both entrances see it. */
export interface Submission {
  key: SeatKey;
  address: string;
  /** The body is `application/x-www-form-urlencoded`. */
  formEncoded: boolean;
  body: () => Promise<string>;
}

export type BallotRefusal =
  | LinkRefusal
  /** Another content type: 415. */
  | { kind: 'unsupported' }
  /** Something missing or wrong: 422, the form shown again with every problem marked and every answer kept. */
  | { kind: 'invalid'; link: LinkState; form: BallotForm; problems: Record<string, FieldProblem>; general: FieldProblem[]; draft: BallotDraft }
  /**
   * A valid ballot with 不满意 answers whose reasons were not offered yet (the form was sent without JavaScript):
   * 200, the reasons asked as a second step that carries every answer along; nothing is cast yet.
   */
  | { kind: 'reasons'; link: LinkState; form: BallotForm; ballot: ValidBallot; draft: BallotDraft }
  /** "Change my answers" on that second step: 200, the form again with every answer kept. */
  | { kind: 'review'; link: LinkState; form: BallotForm; draft: BallotDraft };

export type BallotOutcome = { ok: true; receipt: string } | { ok: false; refusal: BallotRefusal };

/** Sent by a form on which the reasons were offered: by the script that shows them, and by the second step. */
export const REASONS_ASKED = 'reasonsAsked';
/** Sent by the second step's "Change my answers". */
export const REVIEW = 'review';
/**
 * Sent by every form: the round it is a form of (no secret: every seat of the round sends the same), so that a
 * ballot can be cast before its link is looked up.
 */
export const ROUND_FIELD = 'round';

/**
 * Decides a ballot and, when every rule is met, casts it: the link must be usable now (`openLink`), the form
 * complete and valid (docs/SPEC.md, Anonymity and trust), the reasons offered for any 不满意 answer, and the link
 * still unused when the cast commits.
 */
export async function acceptBallot(deps: SurveyDeps, s: Submission): Promise<BallotOutcome> {
  let read: BallotFields | undefined;
  const fieldsOf = async () => (read ??= ballotFields(await s.body()));
  if (s.key.via === 'link' && s.formEncoded && TOKEN_PATTERN.test(s.key.token)) {
    const receipt = await castAsNamed(deps, s.key.token, await fieldsOf());
    if (receipt) return { ok: true, receipt };
  }
  const opened = await openLink(deps, s.key, s.address);
  if (!opened.ok) return opened;
  if (!s.formEncoded) return { ok: false, refusal: { kind: 'unsupported' } };
  const { link } = opened;
  const form = await surveyForm(deps.survey, deps.store, link.roundId);
  const fields = await fieldsOf();
  const parsed = parseBallot(fields, form, link.scale);
  if (!parsed.ok) return { ok: false, refusal: { kind: 'invalid', link, form, problems: parsed.problems, general: parsed.general, draft: parsed.draft } };
  if (fields.has(REVIEW)) return { ok: false, refusal: { kind: 'review', link, form, draft: ballotDraft(fields, form, link.scale) } };
  if (reasonsToAsk(form, fields, parsed))
    return { ok: false, refusal: { kind: 'reasons', link, form, ballot: parsed, draft: ballotDraft(fields, form, link.scale) } };
  // Cast on the link's token hash however the seat was named: one guard, so one ballot per seat by link and code.
  const cast = await castOnLink(deps.store, deps.clock, deps.timeZone, link.tokenHash, {
    roundId: link.roundId,
    stratum: link.stratum,
    answers: parsed.answers,
    reasons: parsed.reasons,
    comments: parsed.comments,
    comment: parsed.comment,
  });
  if (cast.ok) return cast;
  // Used meanwhile by a submission of the same link (say so as for any used link, with the date it was used), or
  // put on paper meanwhile.
  const now = await findSeat(deps.store, s.key);
  if (now?.usedOn) return { ok: false, refusal: { kind: 'used', link: now } };
  return { ok: false, refusal: now?.paper ? { kind: 'paper', link: now } : { kind: 'closed', link: now ?? link } };
}

/**
 * The usual ballot, cast with one trip to the database: its form named a round whose form this server has read
 * already, and it is complete and valid for that form with no reasons left to ask, so it is cast straight on the
 * link, which the database checks is of that round and takes a ballot now (Store.castStraight). Undefined, with
 * nothing stored, for anything else, which `acceptBallot` then decides by looking the link up, as if this did not
 * exist: the rules are the same, only the order in which they are checked differs.
 */
async function castAsNamed(deps: SurveyDeps, token: string, fields: BallotFields): Promise<string | undefined> {
  const named = fields.get(ROUND_FIELD);
  const roundId = named?.length === 1 ? (named[0] as string) : undefined;
  const form = roundId === undefined ? undefined : deps.survey.forms.known(roundId);
  if (!roundId || !form || fields.has(REVIEW)) return undefined;
  const parsed = parseBallot(fields, form, form.scale);
  if (!parsed.ok || reasonsToAsk(form, fields, parsed)) return undefined;
  const { answers, reasons, comments, comment } = parsed;
  return castStraight(deps.store, deps.clock, deps.timeZone, tokenHash(token), { roundId, answers, reasons, comments, comment });
}

/** A valid ballot with 不满意 answers from a form on which the reasons were not offered yet. */
function reasonsToAsk(form: BallotForm, fields: BallotFields, ballot: ValidBallot): boolean {
  return form.reasons.length > 0 && !fields.has(REASONS_ASKED) && dissatisfiedUnits(form, ballot.answers).length > 0;
}
