import { randomUUID } from 'node:crypto';

/** Ids are made by the app (not the database) so the schema stays portable and ids reveal no order. */
export function newId(): string {
  return randomUUID();
}

/** ISO-8601 UTC text, the one time format stored. */
export function isoTime(d: Date): string {
  return d.toISOString();
}
