import type { BallotForm } from './ballot.js';
import type { FormShell } from './form-view.js';

/*
 * What a server keeps in memory to serve forms fast, all of it derived from data that does not change once a round
 * is frozen (a round's units) or from the code itself (how a blank unit renders). Each server keeps its own; none of
 * it is anything another server would need to see.
 */

/** At most this many entries per map: a few rounds × two languages × two text sizes; never grows unbounded. */
const MAX_ENTRIES = 50;

/** Blank unit fragments (per round and language) and blank page shells (per round, language and text size). */
export class FormPieces {
  private fragmentSets = new Map<string, Map<string, Buffer>>();
  private shells = new Map<string, FormShell>();

  fragments(key: string, build: () => Map<string, Buffer>): Map<string, Buffer> {
    let f = this.fragmentSets.get(key);
    if (!f) {
      f = build();
      if (this.fragmentSets.size >= MAX_ENTRIES) this.fragmentSets.clear();
      this.fragmentSets.set(key, f);
    }
    return f;
  }

  shell(key: string): FormShell | undefined {
    return this.shells.get(key);
  }

  keepShell(key: string, shell: FormShell): void {
    if (this.shells.size >= MAX_ENTRIES) this.shells.clear();
    this.shells.set(key, shell);
  }
}

/** The form of each round, read once per round (a round's units and ballot design never change after its freeze). */
export class RoundForms {
  private forms = new Map<string, { loading: Promise<BallotForm>; loaded?: BallotForm }>();

  get(roundId: string, load: () => Promise<BallotForm>): Promise<BallotForm> {
    let entry = this.forms.get(roundId);
    if (!entry) {
      const e: { loading: Promise<BallotForm>; loaded?: BallotForm } = { loading: load() };
      if (this.forms.size >= MAX_ENTRIES) this.forms.clear();
      this.forms.set(roundId, e);
      e.loading.then(
        (form) => {
          e.loaded = form;
        },
        () => this.forms.get(roundId) === e && this.forms.delete(roundId),
      );
      entry = e;
    }
    return entry.loading;
  }

  /** The form of a round this server has read already, if any; never asks the database. */
  known(roundId: string): BallotForm | undefined {
    return this.forms.get(roundId)?.loaded;
  }
}

/**
 * Buffers for form pages, used again once the answer that carried one is done: a fresh buffer per page, freed a
 * little later by the garbage collector, can make the C allocator give memory back to the system and take it again
 * page by page, which slowed some server processes to half speed (docs/PERFORMANCE.md). A round's pages are all
 * about the same size, so a buffer too small for a page is dropped for one in whole steps of `size` that fits it.
 */
export class PageBuffers {
  private free: Buffer[] = [];
  constructor(
    readonly size = 64 * 1024,
    readonly keep = 256,
  ) {}

  take(length = 0): Buffer {
    const b = this.free.pop();
    return b && b.length >= length ? b : Buffer.allocUnsafeSlow(Math.max(1, Math.ceil(length / this.size)) * this.size);
  }

  give(b: Buffer): void {
    if (this.free.length < this.keep) this.free.push(b);
  }
}
