import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { FORM_BODY_LIMIT } from '../http/forms.js';
import { addressOf, nextRequestId, requestLine, securityHeaderList, SURVEY_REFERRER_POLICY } from '../http/middleware.js';
import { TOKEN_PATTERN } from '../links/tokens.js';
import { ballotFields, parseBallot } from './ballot.js';
import { acceptsBallot, castBallot, findLink } from './links.js';
import { receiptCookie } from './receipt.js';
import { surveyUnits, type SurveyState } from './state.js';

/*
 * The ballot's fast path. A ballot that is accepted, the one request every representative makes and the one the
 * speed goal is about, is answered here, before Hono: lookup, checks and casting are the survey's own functions,
 * the answer is the same 303 with the same headers and the same log line. Hono's context, middleware, router and
 * response conversion cost about a fifth of such a request (measured: 3,700 against 4,500 ballots a second).
 *
 * Everything else goes on to Hono, which answers as if the fast path did not exist: any request that is not a
 * plain form POST to `/s/{token}` (a query, a chunked or large body, another content type), an address that has
 * guessed too often, and every ballot that is not accepted (unknown or used link, round not open, a refused form,
 * a link used meanwhile by a simultaneous submission). A body already read is handed on with the request, as the
 * Node adapter's `rawBody`, so Hono reads the same bytes. Nothing is written before the ballot is accepted, and a
 * ballot is cast once at most: the same guarded transaction as on the Hono path.
 */

export interface FastPathDeps {
  db: Database;
  config: Config;
  clock: Clock;
  log: (line: string) => void;
  survey: SurveyState;
}

const BALLOT_PATH = /^\/s\/([^/?#]+)$/;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const decoder = new TextDecoder(); // as the Node adapter decodes a body for Hono (a leading BOM dropped)

/** A request listener that answers accepted ballots itself and hands everything else to `next`. */
export function ballotFastPath(deps: FastPathDeps, next: RequestListener): RequestListener {
  const { db, config, clock, log, survey } = deps;
  const secure = config.baseUrl.startsWith('https:');
  const headers = securityHeaderList(secure, SURVEY_REFERRER_POLICY).flat();

  async function cast(req: IncomingMessage, res: ServerResponse, token: string, started: number): Promise<void> {
    const body = await readBody(req);
    if (!body) return; // the client went away in the middle of its body: nobody is there to answer
    const handOn = () => next(Object.assign(req, { rawBody: body }), res);
    try {
      const link = await findLink(db, token);
      if (!link || !acceptsBallot(link, clock.now().getTime())) return handOn();
      const units = await surveyUnits(survey, db, link.roundId);
      const parsed = parseBallot(ballotFields(decoder.decode(body)), units, link.scale);
      if (!parsed.ok) return handOn();
      const done = await castBallot(db, clock, config.timeZone, { token, roundId: link.roundId, answers: parsed.answers, comments: parsed.comments, comment: parsed.comment });
      if (!done.ok) return handOn(); // used meanwhile: Hono says so
      res.writeHead(303, [...headers, 'Set-Cookie', receiptCookie(done.receipt, secure), 'Location', '/thanks', 'Content-Length', '0']);
      res.end();
      log(requestLine(nextRequestId(), 'POST', req.url as string, 303, started));
    } catch {
      // Nothing was stored (a failed cast rolls back): Hono tries again, and logs and answers the error if it recurs.
      if (!res.headersSent) handOn();
      else res.destroy();
    }
  }

  return (req, res) => {
    const m = req.method === 'POST' ? BALLOT_PATH.exec(req.url ?? '') : null;
    const token = m?.[1];
    const length = req.headers['content-length'];
    if (
      !token ||
      !TOKEN_PATTERN.test(token) ||
      !(req.headers['content-type'] ?? '').toLowerCase().startsWith(FORM_TYPE) ||
      req.headers['transfer-encoding'] !== undefined ||
      length === undefined ||
      !/^\d{1,7}$/.test(length) ||
      Number(length) > FORM_BODY_LIMIT ||
      survey.guesses.blockedMinutes(addressOf(config.trustProxy, req.headers['x-forwarded-for'] as string | undefined, req.socket.remoteAddress), clock.now().getTime()) > 0
    ) {
      return next(req, res);
    }
    void cast(req, res, token, performance.now());
  };
}

/** The whole body (Node stops at its Content-Length), or undefined when the client hangs up before sending it. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', () => resolve(undefined));
    req.once('close', () => resolve(undefined)); // after 'end' this changes nothing
  });
}
