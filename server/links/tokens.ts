import { createHash, createHmac } from 'node:crypto';

/**
 * The survey token of one seat (docs/SPEC.md, The path of a ballot): base64url(HMAC-SHA256(SECRET, "{year}:{code}:{generation}")) cut to
 * 22 characters (132 bits). Derived, never stored: the same secret gives the same link again, and a new
 * generation gives a new link.
 */
export function linkToken(secret: string, year: number, code: string, generation: number): string {
  return createHmac('sha256', secret).update(`${year}:${code}:${generation}`).digest('base64url').slice(0, 22);
}

/** What the database keeps of a token: its SHA-256, which cannot be turned back into a working link. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A token has exactly this shape; anything else is refused before touching the database. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function linkUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/s/${token}`;
}
