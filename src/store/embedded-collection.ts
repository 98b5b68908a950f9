/**
 * One open collection of the embedded store: its points (the PointMatrix:
 * payloads and int8 codes) and its ANN index, both derived from SQLite,
 * which stays the record and holds the float32 vectors that searches
 * rescore with.
 *
 * Opening never holds the event loop for long: points are read in pages and
 * the index is loaded (or built, or patched) in slices, with a yield between
 * each. A saved index is patched with the changes logged after the seq it
 * records; without one (or when its log was pruned past it) it is rebuilt.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../logger.ts';
import { loadIndex, saveIndex } from './ann-file.ts';
import { MatchCache } from './filter-matches.ts';
import { AnnIndex } from './ann-index.ts';
import type { PointRow, Statements } from './embedded-db.ts';
import { PointMatrix } from './point-matrix.ts';
import { parseStoredJson, payloadSchema, storedVector } from './stored-data.ts';
import type { FeatureBinding } from './vector-store.ts';

export interface OpenCollection {
  readonly name: string;
  /** The collection's created_at: a collection deleted and created again under the same name is another one. */
  readonly createdAt: string;
  /** The feature it is bound to (checked against the offered ones before opening): its vectors' width. */
  readonly binding: FeatureBinding;
  readonly matrix: PointMatrix;
  index: AnnIndex;
  /** Every logged change up to this seq is in the matrix and the index. */
  appliedThrough: number;
  /** Changes applied since the index was last saved. */
  unsaved: number;
  /** The matches of recently searched filters (see embedded-search.ts). */
  readonly matches: MatchCache;
  /** The float32 vector of the point at `slot`, from SQLite; undefined when another process removed it meanwhile. */
  readonly vectorAt: (slot: number) => Float32Array | undefined;
}

export interface CollectionContext {
  db: Database.Database;
  sql: Statements;
  dataDir: string;
  logger: Logger;
}

/** Rows read from SQLite between yields (about 3 MiB of vectors: a few milliseconds of parsing). */
const LOAD_PAGE = 1024;
/** Points inserted into the HNSW graph between yields: tens of milliseconds on a busy core. */
export const INDEX_SLICE = 128;
/** Save the index on open when catching up took at least this many changes, so the next open starts closer. */
const SAVE_AFTER_CHANGES = 10_000;

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Puts point rows (checked: a damaged row fails with STORE_DATA_INVALID
 * naming the point) into the matrix, and returns their codes for the index.
 */
function putRows(matrix: PointMatrix, rows: PointRow[], collection: string): Int8Array {
  return matrix.putAll(
    rows.map((row) => ({
      id: row.id,
      key: row.key,
      vector: storedVector(row.vector, matrix.dimensions, { collection, what: `the vector of point ${row.id}` }),
      payload: parseStoredJson(payloadSchema, row.payload, { collection, what: `the payload of point ${row.id}` }),
    })),
  );
}

/** Reads the float32 vector of `matrix`'s point at `slot` back from SQLite. */
function vectorReader(ctx: CollectionContext, name: string, matrix: PointMatrix): (slot: number) => Float32Array | undefined {
  return (slot) => {
    const row = ctx.sql.vectorByKey.get(name, matrix.keyAt(slot));
    if (!row || row.id !== matrix.idAt(slot)) return undefined;
    return storedVector(row.vector, matrix.dimensions, { collection: name, what: `the vector of point ${row.id}` });
  };
}

export async function openCollection(ctx: CollectionContext, name: string, createdAt: string, binding: FeatureBinding): Promise<OpenCollection> {
  const started = performance.now();
  const { sql } = ctx;
  // Changes logged from here on may be missed by the paged read; they are replayed below.
  const start = sql.lastChange.get()!.seq ?? 0;
  const matrix = new PointMatrix(binding.dimensions, ctx.dataDir);
  for (let after = 0; ; ) {
    const page = sql.pointsAfter.all(name, after, LOAD_PAGE);
    putRows(matrix, page, name);
    if (page.length < LOAD_PAGE) break;
    after = page.at(-1)!.key;
    await yieldToEventLoop();
  }
  const pruned = sql.prunedThrough.get(name)?.seq ?? 0;
  const saved = await loadIndex(ctx.dataDir, name, binding.dimensions, createdAt);
  const usable = saved !== undefined && saved.seq >= pruned;
  const collection: OpenCollection = {
    name,
    createdAt,
    binding,
    matrix,
    index: usable ? saved.index : await buildIndex(matrix),
    appliedThrough: usable ? Math.min(saved.seq, start) : start,
    unsaved: usable ? 0 : matrix.size,
    matches: new MatchCache(matrix),
    vectorAt: vectorReader(ctx, name, matrix),
  };
  const replayed = await catchUp(ctx, collection);
  if (collection.index.size !== matrix.size) {
    ctx.logger.warn('ann index disagrees with the record; rebuilding it', { collection: name, indexed: collection.index.size, points: matrix.size });
    collection.index = await buildIndex(matrix);
    collection.unsaved = matrix.size;
  }
  if (collection.unsaved >= SAVE_AFTER_CHANGES) persist(ctx, collection);
  ctx.logger.info('collection opened', {
    collection: name,
    points: matrix.size,
    index: usable ? 'loaded' : 'built',
    replayed,
    ms: Math.round(performance.now() - started),
  });
  return collection;
}

/**
 * Applies the changes logged after `appliedThrough` (by this process or
 * another sharing the folder) to the matrix and the index. Returns how many
 * points it re-read. Each point is re-read from SQLite, so replaying a change
 * twice is harmless.
 */
export async function catchUp(ctx: CollectionContext, c: OpenCollection): Promise<number> {
  const changes = ctx.sql.changesAfter.all(c.name, c.appliedThrough);
  for (let i = 0; i < changes.length; i += INDEX_SLICE) {
    if (i > 0) await yieldToEventLoop();
    const slice = changes.slice(i, i + INDEX_SLICE);
    const present: PointRow[] = [];
    const gone: number[] = [];
    for (const { key } of slice) {
      const row = ctx.sql.pointByKey.get(c.name, key);
      // SQLite reuses the largest rowid after a delete: a key may now belong to another point.
      const holder = c.matrix.findKey(key);
      if (holder !== undefined && c.matrix.idAt(holder) !== row?.id) c.matrix.remove(c.matrix.idAt(holder));
      if (row) present.push(row);
      else gone.push(key);
    }
    c.index.remove(gone);
    c.index.put(
      present.map((row) => row.key),
      putRows(c.matrix, present, c.name),
    );
    c.appliedThrough = Math.max(c.appliedThrough, slice.at(-1)!.seq);
    c.unsaved += slice.length;
  }
  return changes.length;
}

/** Has this collection's log been pruned past what `c` has applied (so replaying it would miss changes)? */
export function logPrunedPast(ctx: CollectionContext, c: OpenCollection): boolean {
  return (ctx.sql.prunedThrough.get(c.name)?.seq ?? 0) > c.appliedThrough;
}

/** Saves the index with the seq it contains and prunes the log up to it. */
export function persist(ctx: CollectionContext, c: OpenCollection): void {
  saveIndex(ctx.dataDir, c.name, c.createdAt, c.index, c.appliedThrough);
  ctx.db.transaction(() => {
    ctx.sql.pruneChanges.run(c.name, c.appliedThrough);
    ctx.sql.recordPruned.run(c.name, c.appliedThrough);
  })();
  c.unsaved = 0;
}

async function buildIndex(matrix: PointMatrix): Promise<AnnIndex> {
  const index = new AnnIndex(matrix.dimensions);
  for (let from = 0; from < matrix.size; from += INDEX_SLICE) {
    if (from > 0) await yieldToEventLoop();
    const count = Math.min(INDEX_SLICE, matrix.size - from);
    const codes = new Int8Array(count * matrix.dimensions);
    matrix.readCodes(from, codes, count);
    index.put(
      Array.from({ length: count }, (_, i) => matrix.keyAt(from + i)),
      codes,
    );
  }
  return index;
}
