import { randomBytes } from 'node:crypto';

/*
 * Paper ballot serials (纸质测评票编号): `K7QM-2XDA-9P`, nine random characters and a check character from the
 * receipts' alphabet (no 0/O, 1/I/L), so a serial reads aloud and types without doubt. The serial is the paper
 * ballot's receipt, published with the results; it is longer than an online receipt (`K7QM-2XDA`), so the two
 * never collide. 31^9 ≈ 2^44.6: a typed serial that is wrong in one place is caught by the check character, and
 * one wrong in several lands on another issued serial only by a chance of (serials issued) / 2^44.
 */

export const SERIAL_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const BODY = 9;
export const SERIAL_PATTERN = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/;

/**
 * The check character: Σ (i + 1)·value(i) mod 31 over the nine characters. With 31 prime and weights 1–9, any one
 * changed character and any two neighbours swapped change the sum (a change of 31 is impossible: values are 0–30).
 */
export function checkCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (i + 1) * SERIAL_ALPHABET.indexOf(body[i] as string);
  return SERIAL_ALPHABET[sum % 31] as string;
}

function format(chars: string): string {
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** A new serial from the CSPRNG (a byte maps to a character by rejection, so each is uniform). */
export function newSerial(random: (n: number) => Uint8Array = randomBytes): string {
  let body = '';
  while (body.length < BODY) {
    for (const b of random(16)) {
      if (b < 248 && body.length < BODY) body += SERIAL_ALPHABET[b % 31];
    }
  }
  return format(body + checkCharacter(body));
}

export type SerialReading = { ok: true; serial: string } | { ok: false; reason: 'format' | 'check' };

/**
 * A serial as typed, case, spaces and hyphens ignored (the alphabet has no 0, O, 1, I or L to confuse). Refused when
 * it is not ten characters of the alphabet, or when its check character does not match (a typo).
 */
export function readSerial(typed: string): SerialReading {
  const chars = typed.toUpperCase().replace(/[\s-]/g, '');
  if (chars.length !== BODY + 1 || [...chars].some((ch) => !SERIAL_ALPHABET.includes(ch))) return { ok: false, reason: 'format' };
  if (checkCharacter(chars.slice(0, BODY)) !== chars[BODY]) return { ok: false, reason: 'check' };
  return { ok: true, serial: format(chars) };
}
