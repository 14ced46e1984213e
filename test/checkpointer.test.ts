// The server's WAL checkpoints (server/db/checkpointer.ts): under unbroken writing the log is started over again
// and again instead of growing without end, and closing leaves no log behind.
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkpointInBackground, LONG_LOG_FRAMES } from '../server/db/checkpointer.js';

// The PostgreSQL pass would repeat the same SQLite test, only on a machine busier with that pass's other files.
const sqlitePass = !process.env.TEST_DATABASE_URL;

if (sqlitePass)
  test('under unbroken commits the log stays bounded: commits are checkpointed and the log started over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingyi-ckpt-'));
    try {
      const file = join(dir, 'test.db');
      // With the server's limit (64 MB before a write waits) the log could reach some 200 MB here, near the 250 MB
      // written; a quarter of it shows the waiting plainly.
      // A connection as the SQLite store opens a server's (db/sqlite-store.ts), with the checkpointer beside it.
      const conn = new SqliteDatabase(file);
      conn.pragma('journal_mode = WAL');
      conn.pragma('synchronous = NORMAL');
      conn.pragma('wal_autocheckpoint = 0');
      const checkpointer = checkpointInBackground(file, (e) => assert.unreachable(`the checkpointer failed: ${e.message}`), LONG_LOG_FRAMES / 4);
      conn.exec('create table t (k integer primary key, v blob)');
      const insert = conn.prepare('insert or replace into t (k, v) values (?, randomblob(3000))');
      const commit = conn.transaction((base: number) => {
        for (let i = 0; i < 100; i++) insert.run([(base + i * 7919) % 20_000]);
      });
      // 600 commits of 100 pages each (some 250 MB of log in all) as fast as one thread can write, with a
      // turn of the event loop now and then, as a busy server has.
      let largest = 0;
      for (let n = 0; n < 600; n++) {
        checkpointer.aboutToWrite();
        commit(n * 100);
        checkpointer.wrote();
        largest = Math.max(largest, statSync(`${file}-wal`).size);
        if (n % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      // A write waits for a checkpoint once the log passes 16 MB here, and for its end past 32 MB: the log starts
      // over long before the 250 MB written (without the waits it grows to the 512 MB backstop).
      assert.ok(largest < 100 * 1024 * 1024, `the log reached ${(largest / 1e6).toFixed(0)} MB`);
      checkpointer.stop();
      conn.close();
      assert.not.ok(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0, 'no log left after closing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test.run();
