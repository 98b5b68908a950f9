/**
 * A collection's ANN index on disk, beside the SQLite file: `ann/<name>.json`
 * names the index file and the last SQLite change (`point_changes.seq`) it
 * contains. Opening loads it and replays only the changes after that seq, so
 * an index that lags after a crash catches up instead of being rebuilt.
 *
 * The index file is written under a fresh name and the record is renamed over
 * the old one: a crash leaves either the old pair or the new one, never a
 * record pointing at half a file. The index is a cache: SQLite stays the
 * record, and a missing or unreadable index is simply rebuilt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AnnIndex } from './ann-index.ts';

const ANN_DIR = 'ann';

const IndexRecord = z.object({
  file: z.string().regex(/^[\w.-]+$/),
  seq: z.number().int().nonnegative(),
  dimensions: z.number().int(),
  /** The collection's created_at: an index of an earlier collection of the same name is not this one's. */
  collectionCreatedAt: z.string(),
});
type IndexRecord = z.infer<typeof IndexRecord>;

export interface SavedIndex {
  index: AnnIndex;
  /** Every change with a seq up to this one is in the index. */
  seq: number;
}

const recordPath = (dataDir: string, name: string) => path.join(dataDir, ANN_DIR, `${name}.json`);

function readRecord(dataDir: string, name: string): IndexRecord | undefined {
  try {
    return IndexRecord.parse(JSON.parse(fs.readFileSync(recordPath(dataDir, name), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The saved index of collection `name`, or undefined when there is none (or
 * it does not fit `dimensions`). The file is first read through once without
 * holding it, so that usearch's synchronous load copies from the page cache
 * instead of waiting on the disk on the event loop.
 */
export async function loadIndex(dataDir: string, name: string, dimensions: number, createdAt: string): Promise<SavedIndex | undefined> {
  const record = readRecord(dataDir, name);
  if (!record || record.dimensions !== dimensions || record.collectionCreatedAt !== createdAt) return undefined;
  const file = path.join(dataDir, ANN_DIR, record.file);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) void chunk;
    const index = new AnnIndex(dimensions);
    index.load(file);
    return { index, seq: record.seq };
  } catch {
    return undefined;
  }
}

/**
 * Saves `index` as collection `name`'s, containing changes up to `seq`. A
 * record of the same collection that already claims a later seq (another
 * process sharing the folder saved meanwhile) is left in place.
 */
export function saveIndex(dataDir: string, name: string, createdAt: string, index: AnnIndex, seq: number): void {
  const dir = path.join(dataDir, ANN_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const previous = readRecord(dataDir, name);
  if (previous && previous.collectionCreatedAt === createdAt && previous.seq > seq) return;
  const file = `${name}.${seq}.${process.pid}.usearch`;
  index.save(path.join(dir, file));
  const tmp = `${recordPath(dataDir, name)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ file, seq, dimensions: index.dimensions, collectionCreatedAt: createdAt } satisfies IndexRecord));
  fs.renameSync(tmp, recordPath(dataDir, name));
  syncDir(dir);
  if (previous && previous.file !== file) fs.rmSync(path.join(dir, previous.file), { force: true });
}

/** Removes collection `name`'s saved index, if any. */
export function removeIndex(dataDir: string, name: string): void {
  const record = readRecord(dataDir, name);
  fs.rmSync(recordPath(dataDir, name), { force: true });
  if (record) fs.rmSync(path.join(dataDir, ANN_DIR, record.file), { force: true });
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
