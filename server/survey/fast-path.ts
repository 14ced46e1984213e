import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { FORM_BODY_LIMIT, FORM_TYPE } from '../http/forms.js';
import { addressOf, nextRequestId, requestLine, securityHeaderList, SURVEY_REFERRER_POLICY } from '../http/middleware.js';
import { normaliseCode } from '../links/codes.js';
import { acceptBallot, type SeatKey, type SurveyDeps } from './accept.js';
import { receiptCookie } from './receipt.js';

/*
 * The ballot's fast path. An accepted ballot, the one request every representative makes and the one the speed goal
 * is about, is answered here, before Hono's context, middleware, router and response conversion (docs/PERFORMANCE.md
 * has what that saves): it is decided and cast by the same `acceptBallot` as the Hono route, and answered with the
 * same 303, headers and log line (marked as the fast path's, so one can tell which entrance answered).
 *
 * Everything else goes on to Hono, which answers as if the fast path did not exist: any request that is not a plain
 * form POST to `/s/{token}` or to `/k/{code}` with the code in its canonical form (a query, a chunked or large body, another content type), and every ballot that is not
 * accepted. A body already read is handed on with the request, as the Node adapter's `rawBody`, so Hono reads the
 * same bytes; `acceptBallot` writes nothing unless it casts, so deciding a request again there changes nothing.
 */

export interface FastPathDeps extends SurveyDeps {
  config: Config;
  log: (line: string) => void;
}

const BALLOT_PATH = /^\/([sk])\/([^/?#]+)$/;
const decoder = new TextDecoder(); // as the Node adapter decodes a body for Hono (a leading BOM dropped)

/** A request listener that answers accepted ballots itself and hands everything else to `next`. */
export function ballotFastPath(deps: FastPathDeps, next: RequestListener): RequestListener {
  const { config, log } = deps;
  const secure = config.baseUrl.startsWith('https:');
  const headers = securityHeaderList(secure, SURVEY_REFERRER_POLICY).flat();

  async function cast(req: IncomingMessage, res: ServerResponse, key: SeatKey, started: number): Promise<void> {
    const body = await readBody(req);
    if (!body) return; // the client went away in the middle of its body: nobody is there to answer
    const handOn = () => next(Object.assign(req, { rawBody: body }), res);
    try {
      const address = addressOf(config.trustProxy, req.headers['x-forwarded-for'] as string | undefined, req.socket.remoteAddress);
      const outcome = await acceptBallot(deps, { key, address, formEncoded: true, body: async () => decoder.decode(body) });
      if (!outcome.ok) return handOn();
      res.writeHead(303, [...headers, 'Set-Cookie', receiptCookie(outcome.receipt, secure), 'Location', '/thanks', 'Content-Length', '0']);
      res.end();
      log(requestLine(nextRequestId(), 'POST', req.url as string, 303, started, 'fast path'));
    } catch {
      // Nothing was stored (a failed cast rolls back): Hono tries again, and logs and answers the error if it recurs.
      if (!res.headersSent) handOn();
      else res.destroy();
    }
  }

  return (req, res) => {
    const m = req.method === 'POST' ? BALLOT_PATH.exec(req.url ?? '') : null;
    const key = m ? seatKey(m[1] as string, m[2] as string) : undefined;
    const length = req.headers['content-length'];
    if (
      !key ||
      !(req.headers['content-type'] ?? '').toLowerCase().startsWith(FORM_TYPE) ||
      req.headers['transfer-encoding'] !== undefined ||
      length === undefined ||
      !/^\d{1,7}$/.test(length) ||
      Number(length) > FORM_BODY_LIMIT
    ) {
      return next(req, res);
    }
    void cast(req, res, key, performance.now());
  };
}

/**
 * The seat a ballot's path names. A code only in its canonical form, as the form posts it: any other spelling (which
 * may be percent-encoded) goes on to Hono, which decodes the path its own way.
 */
function seatKey(entrance: string, secret: string): SeatKey | undefined {
  if (entrance === 's') return { via: 'link', token: secret };
  return normaliseCode(secret) === secret ? { via: 'code', code: secret } : undefined;
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
