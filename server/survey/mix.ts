import type { Store } from '../db/store.js';

/*
 * When ballots are mixed (Store.mix: afterwards the database's files say nothing about the order in which ballots
 * came). A pass runs when a round closes (rounds.ts), and on a server every minute while ballots arrive, within
 * seconds again after a failure, and once more when it stops. After closing, a copy of the files tells nothing about
 * the order; while a round is open, only about the ballots since the last pass. Servers sharing a PostgreSQL
 * database mix once a minute between them: a server skips its pass (at start too) when another began one within
 * most of the period.
 */

const EVERY_MS = 60_000;
/** The first retry after a failure; each next one waits twice as long, up to EVERY_MS. */
const RETRY_MS = 5_000;
/**
 * The part of the period within which another server's pass makes this one's unneeded: less than all of it, as
 * a pass is dated when it begins, a moment after its timer fired.
 */
const SKIP_WITHIN = 0.9;

async function countBallots(store: Store): Promise<number> {
  const r = await store.db
    .selectFrom('ballots')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface Mixing {
  /** A pass now, if one is due: the ballots it rewrote, or undefined when none was due or it failed (reported, never thrown). */
  tick(): Promise<number | undefined>;
  /** Stops the timers and runs a last pass if one is due. */
  stop(): Promise<void>;
}

/**
 * Mixes every `everyMs` until stopped, and after a failure again within seconds (reported each time). On SQLite a
 * pass is due when the number of ballots changed since the last one that finished (or the last one failed); on
 * PostgreSQL when no server of the database is mixing or began a pass in most of the period (the pass itself finds
 * whether any ballot is waiting), except the last one.
 */
export function startMixing(store: Store, report: (message: string) => void, opts: { everyMs?: number; retryMs?: number } = {}): Mixing {
  const everyMs = opts.everyMs ?? EVERY_MS;
  const firstRetryMs = opts.retryMs ?? RETRY_MS;
  const bySqlite = store.dialect === 'sqlite';
  let mixedCount = 0;
  let failed = false;
  let retryMs = firstRetryMs;
  let retry: NodeJS.Timeout | undefined;
  let running: Promise<number | undefined> | undefined;
  let stopped = false;

  const pass = async (last: boolean): Promise<number | undefined> => {
    try {
      if (bySqlite && !failed && (await countBallots(store)) === mixedCount) return undefined;
      // The last pass of a stopping server mixes what came since the last pass anywhere, which may wait long for a next.
      const n = await store.mix(bySqlite || last ? {} : { unlessMixedWithinMs: SKIP_WITHIN * everyMs });
      if (n === undefined) return undefined;
      if (bySqlite) mixedCount = n;
      failed = false;
      retryMs = firstRetryMs;
      return n;
    } catch (e) {
      failed = true;
      const when = stopped ? 'at the next pass' : `in ${Math.round(retryMs / 1000)} s`;
      report(`ballot mixing failed, trying again ${when}: ${e instanceof Error ? e.message : String(e)}`);
      if (!stopped) {
        clearTimeout(retry);
        retry = setTimeout(tick, retryMs);
        retry.unref();
        retryMs = Math.min(2 * retryMs, everyMs);
      }
      return undefined;
    }
  };
  const run = (last: boolean): Promise<number | undefined> => (running ??= pass(last).finally(() => (running = undefined)));
  const tick = (): Promise<number | undefined> => run(false);
  const timer = setInterval(tick, everyMs);
  timer.unref();
  void tick();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await running;
      await run(true);
    },
  };
}
