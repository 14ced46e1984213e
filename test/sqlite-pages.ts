// Reads a SQLite database the way someone holding a copy of its files would: page by page, from `pingyi.db` with
// the committed frames of `pingyi.db-wal` laid over it, without SQLite. Used by the tests that check what the files
// tell about the order in which ballots came (test/survey.mixing.test.ts). The format is SQLite's documented file
// format (https://www.sqlite.org/fileformat2.html): b-tree pages, records, the freelist and the WAL.
import { existsSync, readFileSync } from 'node:fs';

export interface SqliteFiles {
  pageSize: number;
  /** Usable bytes per page (the page size less the reserved bytes at its end). */
  usable: number;
  pageCount: number;
  /** The page as a reader of these files sees it: its newest committed frame in the WAL, else the database file's. */
  page(pgno: number): Buffer;
  /** Frames in the WAL that a reader would use (0 for an empty or missing WAL). */
  walFrames: number;
  /** The WAL file's length in bytes (0 when it is missing). */
  walBytes: number;
}

export function readSqliteFiles(dbFile: string): SqliteFiles {
  const db = readFileSync(dbFile);
  const walFile = `${dbFile}-wal`;
  const wal = existsSync(walFile) ? readFileSync(walFile) : Buffer.alloc(0);
  let pageSize = db.readUInt16BE(16);
  if (pageSize === 1) pageSize = 65536;
  const usable = pageSize - db[20]!;
  const frames = committedFrames(wal, pageSize);
  let pageCount = db.readUInt32BE(28);
  for (const f of frames.values()) if (f.dbSize) pageCount = f.dbSize;
  const walPages = new Map<number, Buffer>();
  for (const [pgno, f] of frames) walPages.set(pgno, f.data);
  return {
    pageSize,
    usable,
    pageCount,
    walFrames: frames.size,
    walBytes: wal.length,
    page(pgno) {
      return walPages.get(pgno) ?? db.subarray((pgno - 1) * pageSize, pgno * pageSize);
    },
  };
}

/** The newest committed frame of each page in the WAL: frames of the log's current salt, checksums chained, up to the last commit. */
function committedFrames(wal: Buffer, pageSize: number): Map<number, { data: Buffer; dbSize: number }> {
  const out = new Map<number, { data: Buffer; dbSize: number }>();
  if (wal.length < 32) return out;
  const magic = wal.readUInt32BE(0);
  if ((magic & 0xfffffffe) !== 0x377f0682 || wal.readUInt32BE(8) !== pageSize) return out;
  const bigEndian = (magic & 1) === 1;
  const word = (b: Buffer, i: number) => (bigEndian ? b.readUInt32BE(i) : b.readUInt32LE(i));
  const sum = (b: Buffer, from: number, to: number, s: [number, number]): [number, number] => {
    let [s0, s1] = s;
    for (let i = from; i < to; i += 8) {
      s0 = (s0 + word(b, i) + s1) >>> 0;
      s1 = (s1 + word(b, i + 4) + s0) >>> 0;
    }
    return [s0, s1];
  };
  let s = sum(wal, 0, 24, [0, 0]);
  if (s[0] !== wal.readUInt32BE(24) || s[1] !== wal.readUInt32BE(28)) return out;
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let pending: [number, { data: Buffer; dbSize: number }][] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    s = sum(wal, at, at + 8, s);
    s = sum(wal, at + 24, at + 24 + pageSize, s);
    if (s[0] !== wal.readUInt32BE(at + 16) || s[1] !== wal.readUInt32BE(at + 20)) break;
    const dbSize = wal.readUInt32BE(at + 4);
    pending.push([wal.readUInt32BE(at), { data: wal.subarray(at + 24, at + 24 + pageSize), dbSize }]);
    if (dbSize) {
      for (const [pgno, f] of pending) out.set(pgno, f);
      pending = [];
    }
  }
  return out;
}

export type Value = null | number | bigint | string | Buffer;

export interface Cell {
  /** Where the cell starts in its page: SQLite writes a page's cells from its end toward its start. */
  offset: number;
  /** A table's rowid (undefined in an index). */
  rowid?: number;
  /** The record's values (leaf cells and index cells); an index record ends with the table row's rowid. */
  values?: Value[];
  /** The child page left of this cell (interior pages). */
  child?: number;
  /** The first overflow page of a payload too large for its page. */
  overflow?: number;
}

export interface BtreePage {
  pgno: number;
  leaf: boolean;
  index: boolean;
  /** In the order of the cell pointer array, which is key order. */
  cells: Cell[];
  rightChild?: number;
  /** Byte ranges of the page that hold nothing: the gap between the pointers and the cells, and every freeblock. */
  free: [number, number][];
}

/** Every page of the b-tree rooted at `root`, parents before children. */
export function btreePages(files: SqliteFiles, root: number): BtreePage[] {
  const out: BtreePage[] = [];
  const walk = (pgno: number) => {
    const page = readBtreePage(files, pgno);
    out.push(page);
    if (page.leaf) return;
    for (const c of page.cells) walk(c.child!);
    walk(page.rightChild!);
  };
  walk(root);
  return out;
}

export function readBtreePage(files: SqliteFiles, pgno: number): BtreePage {
  const data = files.page(pgno);
  const h = pgno === 1 ? 100 : 0;
  const type = data[h]!;
  if (![2, 5, 10, 13].includes(type)) throw new Error(`page ${pgno} is not a b-tree page (type ${type})`);
  const leaf = type === 10 || type === 13;
  const index = type === 2 || type === 10;
  const n = data.readUInt16BE(h + 3);
  const contentStart = data.readUInt16BE(h + 5) || 65536;
  const pointers = h + (leaf ? 8 : 12);
  const cells: Cell[] = [];
  for (let i = 0; i < n; i++) {
    const offset = data.readUInt16BE(pointers + 2 * i);
    cells.push(readCell(files, data, offset, leaf, index));
  }
  const free: [number, number][] = [[pointers + 2 * n, contentStart]];
  for (let fb = data.readUInt16BE(h + 1); fb !== 0; fb = data.readUInt16BE(fb)) free.push([fb + 4, fb + data.readUInt16BE(fb + 2)]);
  return { pgno, leaf, index, cells, rightChild: leaf ? undefined : data.readUInt32BE(h + 8), free };
}

function readCell(files: SqliteFiles, data: Buffer, offset: number, leaf: boolean, index: boolean): Cell {
  let at = offset;
  const cell: Cell = { offset };
  if (!leaf) {
    cell.child = data.readUInt32BE(at);
    at += 4;
  }
  if (!index && !leaf) {
    cell.rowid = Number(varint(data, at).value);
    return cell;
  }
  const size = varint(data, at);
  at += size.length;
  const payloadSize = Number(size.value);
  if (!index) {
    const r = varint(data, at);
    cell.rowid = Number(r.value);
    at += r.length;
  }
  // How much of the payload stays in the page; the rest goes to a chain of overflow pages.
  const u = files.usable;
  const maxLocal = index ? Math.floor(((u - 12) * 64) / 255) - 23 : u - 35;
  const minLocal = Math.floor(((u - 12) * 32) / 255) - 23;
  let local = payloadSize;
  if (payloadSize > maxLocal) {
    const k = minLocal + ((payloadSize - minLocal) % (u - 4));
    local = k <= maxLocal ? k : minLocal;
  }
  const parts = [data.subarray(at, at + local)];
  if (local < payloadSize) {
    cell.overflow = data.readUInt32BE(at + local);
    let got = local;
    for (let next = cell.overflow; next !== 0 && got < payloadSize; ) {
      const o = files.page(next);
      const take = Math.min(u - 4, payloadSize - got);
      parts.push(o.subarray(4, 4 + take));
      got += take;
      next = o.readUInt32BE(0);
    }
  }
  cell.values = record(Buffer.concat(parts));
  return cell;
}

function varint(b: Buffer, at: number): { value: bigint; length: number } {
  let v = 0n;
  for (let i = 0; i < 8; i++) {
    const byte = b[at + i]!;
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (byte < 0x80) return { value: v, length: i + 1 };
  }
  return { value: (v << 8n) | BigInt(b[at + 8]!), length: 9 };
}

/** The values of a record: a header of serial types, then the values one after the other. */
function record(p: Buffer): Value[] {
  const head = varint(p, 0);
  const types: number[] = [];
  for (let at = head.length; at < Number(head.value); ) {
    const t = varint(p, at);
    types.push(Number(t.value));
    at += t.length;
  }
  const values: Value[] = [];
  let at = Number(head.value);
  const INT_BYTES = [0, 1, 2, 3, 4, 6, 8];
  for (const t of types) {
    if (t === 0) values.push(null);
    else if (t >= 1 && t <= 6) {
      const n = INT_BYTES[t]!;
      let v = 0n;
      for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(p[at + i]!);
      if (p[at]! & 0x80) v -= 1n << BigInt(8 * n);
      values.push(Number(v));
      at += n;
    } else if (t === 7) {
      values.push(p.readDoubleBE(at));
      at += 8;
    } else if (t === 8 || t === 9) values.push(t - 8);
    else if (t >= 12) {
      const n = Math.floor((t - 12) / 2);
      values.push(t % 2 ? p.toString('utf8', at, at + n) : Buffer.from(p.subarray(at, at + n)));
      at += n;
    }
  }
  return values;
}

/** The pages on the freelist (trunk pages and the leaves they list). */
export function freelistPages(files: SqliteFiles): { trunks: number[]; leaves: number[] } {
  const page1 = files.page(1);
  const trunks: number[] = [];
  const leaves: number[] = [];
  for (let t = page1.readUInt32BE(32); t !== 0; ) {
    trunks.push(t);
    const p = files.page(t);
    const n = p.readUInt32BE(4);
    for (let i = 0; i < n; i++) leaves.push(p.readUInt32BE(8 + 4 * i));
    t = p.readUInt32BE(0);
  }
  return { trunks, leaves };
}

/**
 * Whether the page's cells sit in key order: SQLite writes the cells of a page it builds from scratch from the end
 * of the page toward its start in key order, and a cell added later below the others, wherever its key falls.
 */
export function cellsInKeyOrder(page: BtreePage): boolean {
  return page.cells.every((c, i) => i === 0 || c.offset < page.cells[i - 1]!.offset);
}

/** The bytes of `page` that hold nothing yet are not zero: what some earlier state of the page left behind. */
export function leftoverBytes(files: SqliteFiles, page: BtreePage): number {
  const data = files.page(page.pgno);
  let n = 0;
  for (const [from, to] of page.free) for (let i = from; i < to; i++) if (data[i] !== 0) n++;
  return n;
}
