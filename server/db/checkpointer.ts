import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * A WAL checkpoint copies the pages written since the last one into the database file and fsyncs it. SQLite runs it
 * inside the commit that crosses `wal_autocheckpoint`, so on a server's only connection it stalls the event loop, and
 * every request in flight with it. Here a worker thread with a connection of its own checkpoints instead (PASSIVE: it
 * never waits for or blocks the serving connection), and the serving connection stops checkpointing by itself.
 *
 * The log is started over by the first write after a checkpoint that copied all of it; until then every commit
 * appends to it. So the serving connection tells the worker of each commit (`wrote`), and the worker checkpoints at
 * once: it copies that commit's pages, usually before the next commit, which then starts the log over. Under a
 * saturating load a checkpoint can overlap the next commit again and again and the log grows; once it is long, the
 * serving connection waits before it writes (`aboutToWrite`, a few milliseconds) for a checkpoint that copies all of
 * it: the one in progress, and the next one too if the one in progress began before the last commit. Its write then
 * starts the log over. The worker says when that is so (a log length of 0), so that the write after it does not wait
 * again for a log that is no longer long. A blocking RESTART checkpoint, the other way to start the log over, holds
 * writers back far longer (it busy-waits, then copies and fsyncs under the write lock; docs/PERFORMANCE.md).
 */

const IDLE_MS = 1000;
/**
 * A log longer than this (in pages: 64 MB) makes the next write wait for a checkpoint that copies all of it, up to
 * WAIT_MS. Each such wait stalls every request in flight, and under a saturating load the log also starts over by
 * itself whenever a checkpoint happens to finish before the next commit; so the limit is set high enough that waiting
 * is rare (docs/PERFORMANCE.md has the measurements). A long log costs disk space, not time: a reader looks for its
 * pages among the frames not yet copied only.
 */
export const LONG_LOG_FRAMES = 16_384;
const WAIT_MS = 20;
/** Past twice that (when checkpoints are slow, as on a busy disk) the write waits up to this long. */
const LONG_WAIT_MS = 1000;
/** A backstop (a reader holding an old snapshot for long stops every restart): a TRUNCATE checkpoint past this. */
const WAL_LIMIT_BYTES = 512 * 1024 * 1024;

// Shared state, one Int32 each.
const STOP = 0; // 1: stop asked
const CLOSED = 1; // 1: the worker's connection is closed
const COMMITS = 2; // commits the serving connection has reported
const PASSING = 3; // 1 while a checkpoint runs
// The log's length in pages after the last checkpoint; 0 when the next write starts it over (that checkpoint copied
// all of it, and no commit came while it ran).
const LOG_FRAMES = 4;
const SEEN = 5; // the value of COMMITS when the last checkpoint (or the one in progress) began

// Plain CommonJS run by the worker (eval), so it needs no TypeScript loader. Atomics.wait on the commit counter is
// its sleep: a commit or a stop wakes it at once.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const state = new Int32Array(workerData.state);
const [STOP, CLOSED, COMMITS, PASSING, LOG_FRAMES, SEEN] = workerData.slots;
let db;
try {
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 2000');
  while (Atomics.load(state, STOP) === 0) {
    const seen = Atomics.load(state, COMMITS);
    let walBytes = 0;
    try { walBytes = statSync(workerData.file + '-wal').size; } catch {}
    Atomics.store(state, SEEN, seen);
    Atomics.store(state, PASSING, 1);
    Atomics.notify(state, PASSING);
    try {
      const r = db.pragma(walBytes > workerData.walLimit ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)')[0];
      const whole = r.busy === 0 && r.checkpointed === r.log && Atomics.load(state, COMMITS) === seen;
      Atomics.store(state, LOG_FRAMES, whole ? 0 : r.log);
    } finally {
      Atomics.store(state, PASSING, 0);
      Atomics.notify(state, PASSING);
    }
    // Sleep until the next commit (at once if one came during this checkpoint), or a while for other writers.
    Atomics.wait(state, COMMITS, seen, workerData.idleMs);
  }
} finally {
  db?.close();
  Atomics.store(state, CLOSED, 1);
  Atomics.notify(state, CLOSED);
}
`;

export interface Checkpointer {
  /** Before the serving connection writes: when the log is long, waits (briefly) for a checkpoint that copies it all. */
  aboutToWrite(): void;
  /** After the serving connection commits: wakes the worker to checkpoint that commit's pages. */
  wrote(): void;
  /** Closes the worker's connection before it returns, so the caller's own close is the last one and leaves no WAL. */
  stop(): void;
}

/**
 * Starts checkpointing `file` (a WAL database) from a worker thread. `onFailure` runs if the worker cannot work,
 * so the caller can checkpoint by itself again. `longLogFrames` is LONG_LOG_FRAMES but for tests.
 */
export function checkpointInBackground(file: string, onFailure: (e: Error) => void, longLogFrames = LONG_LOG_FRAMES): Checkpointer {
  const state = new Int32Array(new SharedArrayBuffer(6 * 4));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      file,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      state: state.buffer,
      slots: [STOP, CLOSED, COMMITS, PASSING, LOG_FRAMES, SEEN],
      idleMs: IDLE_MS,
      walLimit: WAL_LIMIT_BYTES,
    },
  });
  worker.unref(); // never what keeps a process alive
  let running = true;
  worker.once('error', (e) => {
    running = false;
    onFailure(e);
  });
  worker.once('exit', () => (running = false));
  const wake = () => {
    Atomics.add(state, COMMITS, 1);
    Atomics.notify(state, COMMITS);
  };
  return {
    aboutToWrite() {
      const frames = Atomics.load(state, LOG_FRAMES);
      if (!running || frames <= longLogFrames) return;
      const wait = frames > 2 * longLogFrames ? LONG_WAIT_MS : WAIT_MS;
      const deadline = performance.now() + wait;
      for (let left = wait; left > 0; left = deadline - performance.now()) {
        if (Atomics.load(state, LOG_FRAMES) <= longLogFrames) return; // copied: this write starts the log over
        // (SEEN before PASSING: the worker sets them in the other order.)
        const due = Atomics.load(state, SEEN) !== Atomics.load(state, COMMITS);
        const passing = Atomics.load(state, PASSING);
        // No checkpoint running or due (a reader holding an old snapshot stops them copying all): nothing to wait for.
        if (passing === 0 && !due) return;
        Atomics.wait(state, PASSING, passing, left); // until the checkpoint begins or ends
      }
    },
    wrote: wake,
    stop() {
      Atomics.store(state, STOP, 1);
      wake();
      // At most one checkpoint's time (or the worker's start-up), and only at shutdown.
      if (running) Atomics.wait(state, CLOSED, 0, 10_000);
    },
  };
}
