/*
 * In-memory caches of the public results pages, per app (one per server).
 *
 * Why this is safe: a published snapshot never changes (README, A year's round — a correction is a new version, with a new
 * number), so anything rendered from (round id, version) stays right for ever. Every request for a page still
 * runs one cheap query (`resultsHead`) that reads the latest version number of the year and a count of all
 * published versions; both are part of the page key, so a correction, or a newly published year (the page links
 * to the other years), makes a new key at once, in every instance, without any message between instances. A
 * second server on the same database therefore never serves a stale page — it merely builds its own copy, and
 * nothing here needs to be shared (docs/SPEC.md, Decisions and their reasons: "no state in memory that two instances would need to share").
 *
 * Bounded: at most `max` entries each, the least recently used going first, so a crawler asking for every
 * language × text size × query string costs memory once per entry, never without limit.
 */
import type { ResultsDocument } from './snapshot.js';

/** A least-recently-used map with a fixed number of entries. */
export class BoundedCache<V> {
  private entries = new Map<string, V>();
  constructor(readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A rendered page, as the bytes sent: plain, and gzipped once for the slow networks of docs/SPEC.md */
export interface CachedPage {
  html: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
}

export interface PublicCaches {
  /** Rendered results pages, by round id, version, latest version, publication count, language, text size and URL. */
  pages: BoundedCache<CachedPage>;
  /** Parsed snapshots, by round id and version (the home, unit and results pages share them). */
  docs: BoundedCache<ResultsDocument>;
  /** The stored JSON of a version as the bytes served, with its sha256, by round id and version. */
  bodies: BoundedCache<{ bytes: Uint8Array<ArrayBuffer>; sha256: string }>;
  /** `/results/{year}.xlsx` as served, by round id and version: a workbook costs far more to build than a CSV. */
  workbooks: BoundedCache<Uint8Array<ArrayBuffer>>;
  /**
   * Year → round id, once the year has published results: a published round is never deleted, renumbered or
   * unpublished, so the mapping cannot go stale, and the per-request query reads one small table.
   */
  roundIds: Map<number, string>;
}

/** A server's caches of the public results pages: one set per app, made by `createApp`. */
export function newPublicCaches(): PublicCaches {
  return { pages: new BoundedCache(128), docs: new BoundedCache(64), bodies: new BoundedCache(32), workbooks: new BoundedCache(16), roundIds: new Map() };
}

// The caches are one of the app's variables (set by createApp), declared here so that http/ knows nothing of them.
declare module '../http/context.js' {
  interface AppVariables {
    results: PublicCaches;
  }
}
