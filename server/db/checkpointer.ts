import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * A WAL checkpoint copies the pages written since the last one into the database file and fsyncs it. SQLite runs
 * it inside the commit that crosses `wal_autocheckpoint`, so on a server's only connection it stalls the event
 * loop, and every request in flight with it: tens to hundreds of milliseconds under a burst of ballots. Here a
 * worker thread with a connection of its own checkpoints instead (PASSIVE: it never waits for or blocks the
 * serving connection), and the serving connection stops checkpointing by itself. Under unbroken writing a PASSIVE
 * checkpoint never catches up with the last page, and SQLite starts the log over only after one that did; so once
 * the log is long and a pass has nearly caught up, a RESTART finishes the last few pages, holding writers back
 * only for those and one small fsync (measured under a saturating benchmark: p99 about 90–130 ms with the log
 * kept under 70 MB, against 300–400 ms when it grew to hundreds of MB and was truncated).
 */

/** While pages keep coming, how long between checkpoints; a longer pause copies a page written often once. */
const BUSY_MS = 100;
const IDLE_MS = 1000;
/** A backstop: past this size a TRUNCATE checkpoint (which holds writers back) brings the log file to zero. */
const WAL_LIMIT_BYTES = 512 * 1024 * 1024;
/** A log this long (in pages) is started over once a checkpoint has nearly caught up with it. */
const RESTART_FRAMES = 32768;

// Plain CommonJS run by the worker (eval), so it needs no TypeScript loader. state[0] = 1: stop asked;
// state[1] = 1: the worker's connection is closed. Atomics.wait is its sleep, so a stop wakes it at once.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const state = new Int32Array(workerData.state);
let db;
try {
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 2000');
  let last = -1;
  let pause = workerData.busyMs;
  while (Atomics.wait(state, 0, 0, pause) === 'timed-out') {
    let walBytes = 0;
    try { walBytes = statSync(workerData.file + '-wal').size; } catch {}
    if (walBytes > workerData.walLimit) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      pause = workerData.busyMs;
      continue;
    }
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Caught up but for a few pages, with a long log behind: a RESTART finishes those few (holding writers back
    // only for them and one small fsync) so that the next write starts the log over instead of growing it.
    if (r.log > workerData.restartFrames && r.log - r.checkpointed < workerData.restartFrames / 16) db.pragma('wal_checkpoint(RESTART)');
    pause = r.log !== last ? workerData.busyMs : workerData.idleMs;
    last = r.log;
  }
} finally {
  db?.close();
  Atomics.store(state, 1, 1);
  Atomics.notify(state, 1);
}
`;

/**
 * Starts checkpointing `file` (a WAL database) from a worker thread. The returned stop function closes the
 * worker's connection before it returns, so the caller's own close is the last one and leaves no WAL behind.
 * `onFailure` runs if the worker cannot work, so the caller can checkpoint by itself again.
 */
export function checkpointInBackground(file: string, onFailure: (e: Error) => void): () => void {
  const state = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), state: state.buffer, busyMs: BUSY_MS, idleMs: IDLE_MS, walLimit: WAL_LIMIT_BYTES, restartFrames: RESTART_FRAMES },
  });
  worker.unref(); // never what keeps a process alive
  let running = true;
  worker.once('error', (e) => onFailure(e));
  worker.once('exit', () => (running = false));
  return () => {
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
    // At most one checkpoint's time (or the worker's start-up), and only at shutdown.
    if (running) Atomics.wait(state, 1, 0, 10_000);
  };
}
