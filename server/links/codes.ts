import { createHash, createHmac } from 'node:crypto';

/** Crockford's base32: digits and capitals without I, L, O and U, so that a code read aloud or typed is not misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 16;

/**
 * The 测评码 of one seat (docs/SPEC.md, Channels): the first 80 bits of HMAC-SHA256(SECRET,
 * "code:{year}:{code}:{generation}") as 16 Crockford base32 characters. Derived like the token and never stored, so
 * a new generation (a re-issued link) gives a new code too.
 */
export function linkCode(secret: string, year: number, code: string, generation: number): string {
  const mac = createHmac('sha256', secret).update(`code:${year}:${code}:${generation}`).digest();
  let out = '';
  // 80 bits = 16 groups of 5, read from the most significant bit of the first byte on.
  for (let i = 0; i < CODE_LENGTH; i++) {
    const bit = i * 5;
    const pair = ((mac[bit >> 3] as number) << 8) | (mac[(bit >> 3) + 1] as number);
    out += ALPHABET[(pair >> (11 - (bit & 7))) & 31];
  }
  return out;
}

/** A code as printed: four groups of four, `K7QM-2XDA-9KTR-H4PB`. */
export function groupedCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

const VALID = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/**
 * A typed code in its one canonical form, or undefined when it cannot be one: full-width characters (as a Chinese
 * input method types them) read as their plain forms, case, spaces and hyphens ignored, O read as 0 and I or L as 1.
 * Anything else is refused here, before the database is asked.
 */
export function normaliseCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const plain = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return VALID.test(plain) ? plain : undefined;
}

/** What the database keeps of a code (of its canonical form): its SHA-256, which cannot be turned back into it. */
export function codeHash(code: string): string {
  return createHash('sha256').update(`code:${code}`).digest('hex');
}

/** The address a code opens; the short address `/k` alone is the page to type one. */
export function codeUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/k/${code}`;
}
