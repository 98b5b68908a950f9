/**
 * The embedded vector store (the default): points durable in SQLite, each
 * open collection's vectors held in memory for exact scoring and indexed by
 * an HNSW graph (usearch) for approximate search at scale.
 *
 * Writes go to SQLite first (one transaction, acknowledged once durable,
 * logging each point's key in `point_changes`), then to the matrix and the
 * index. If another process writes the same file (the CLI beside a server),
 * SQLite's data_version changes and every open collection replays the log.
 * A collection opens on first use, or for every collection when readiness is
 * first asked (`ping`), which reports not ready until all are open.
 */
import type Database from 'better-sqlite3';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { removeIndex } from './ann-file.ts';
import {
  catchUp,
  INDEX_SLICE,
  logPrunedPast,
  openCollection,
  persist,
  yieldToEventLoop,
  type CollectionContext,
  type OpenCollection,
} from './embedded-collection.ts';
import { openDatabase, prepareStatements, type CollectionRow } from './embedded-db.ts';
import {
  DEFAULT_FULL_SCAN_THRESHOLD_KB,
  fullScanPoints,
  graphSearch,
  planSearch,
  scanAll,
  scanAllNow,
  type SearchPlanInput,
} from './embedded-search.ts';
import { compileFilter, validateFilter, type Filter, type PointPredicate } from './filter.ts';
import { parsePayloadPath } from './payload-path.ts';
import type { PointMatrix } from './point-matrix.ts';
import {
  assertCollectionName,
  checkBinding,
  checkPaging,
  cleanPayload,
  deleteSelector,
  collectionNotFound,
  pointId,
  pointIds,
  sameBinding,
  vectorFor,
} from './store-input.ts';
import { featureBindingSchema, parseStoredJson, payloadSchema } from './stored-data.ts';
import type { TopK } from './top-k.ts';
import type { CollectionRecord, FeatureBinding, ScoredPoint, SearchQuery, StoredPoint, VectorStore } from './vector-store.ts';

export interface EmbeddedStoreOptions {
  /** Folder holding `sightline.db` and the `ann/` index files; created when missing. */
  dataDir: string;
  /** The features this server offers; a collection bound to any other is refused (FEATURE_MISMATCH). */
  features: readonly FeatureBinding[];
  logger: Logger;
  /**
   * Below this many KB of vectors a collection (or a filter's matches) is
   * scanned exactly instead of walking the graph: Qdrant's
   * `full_scan_threshold_kb`. At 0 every search that can walk the graph does
   * (the planner's cost rule for filters is off too). @default 10000
   */
  fullScanThresholdKb?: number;
}

/**
 * Rows per write transaction. Small, because the HNSW inserts that follow
 * each commit run on the event loop; the upsert yields between chunks, and
 * can be cancelled there.
 */
const WRITE_CHUNK = INDEX_SLICE;

export function createEmbeddedStore({ dataDir, features, logger, fullScanThresholdKb = DEFAULT_FULL_SCAN_THRESHOLD_KB }: EmbeddedStoreOptions): VectorStore {
  const db = openDatabase(dataDir);
  const sql = prepareStatements(db);
  const ctx: CollectionContext = { db, sql, dataDir, logger };
  /** Collections opening or open; a failed open is forgotten so the next use retries. */
  const opening = new Map<string, Promise<OpenCollection>>();
  const open = new Map<string, OpenCollection>();
  let seenVersion = dataVersion(db);

  const assertLive = (): void => {
    if (!db.open) throw new SightlineError(ErrorCode.STORE_UNAVAILABLE, 'the embedded store is closed');
  };

  /** Another process wrote: every open collection replays the log (or reopens, if it was pruned past it). */
  const refreshIfChanged = (): void => {
    const version = dataVersion(db);
    if (version === seenVersion) return;
    seenVersion = version;
    for (const [name, c] of open) {
      open.delete(name);
      const row = sql.collection.get(name);
      // Deleted and created again meanwhile (a new created_at): the log no longer mentions the old points.
      const reopen = !row || row.created_at !== c.createdAt || logPrunedPast(ctx, c);
      if (!row) opening.delete(name);
      else track(name, reopen ? openChecked(row) : catchUp(ctx, c).then(() => c));
    }
  };

  const track = (name: string, pending: Promise<OpenCollection>): Promise<OpenCollection> => {
    opening.set(name, pending);
    pending.then(
      (c) => {
        if (opening.get(name) === pending) open.set(name, c);
      },
      (err: unknown) => {
        if (opening.get(name) === pending) opening.delete(name);
        logger.error('collection failed to open', { collection: name, err });
      },
    );
    return pending;
  };

  const live = <T>(work: () => T): T => {
    assertLive();
    refreshIfChanged();
    return work();
  };

  const offered = (binding: FeatureBinding) => features.some((known) => sameBinding(binding, known));

  /** Opens a collection sized by its own binding, once the binding is one this server offers. */
  const openChecked = (row: CollectionRow): Promise<OpenCollection> => {
    const binding = checkBinding(row.name, parseBinding(row), features);
    return openCollection(ctx, row.name, row.created_at, binding);
  };

  /** The collection, opened on first use; its binding checked. */
  const use = async (name: string): Promise<OpenCollection> => {
    const pending = live(() => {
      assertCollectionName(name);
      const known = opening.get(name);
      if (known) return known;
      const row = sql.collection.get(name);
      if (!row) throw collectionNotFound(name);
      return track(name, openChecked(row));
    });
    const c = await pending;
    assertLive();
    return c;
  };

  const record = (row: CollectionRow): CollectionRecord => ({
    name: row.name,
    feature: parseBinding(row),
    config: parseStoredJson(payloadSchema, row.config, { collection: row.name, what: 'the extractor configuration' }),
    createdAt: row.created_at,
    pointCount: open.get(row.name)?.matrix.size ?? sql.countPoints.get(row.name)!.n,
  });

  /** The compiled filter and the key its matches are cached under (the validated filter's JSON). */
  const compiled = (filter: Filter | undefined): { pass: PointPredicate | undefined; filterKey: string | undefined } => {
    if (filter === undefined) return { pass: undefined, filterKey: undefined };
    const valid = validateFilter(filter);
    return { pass: compileFilter(valid), filterKey: JSON.stringify(valid) };
  };
  const predicate = (filter: Filter | undefined): PointPredicate | undefined => compiled(filter).pass;

  /** Slots passing the filter, in id order. */
  const matchingInIdOrder = (matrix: PointMatrix, filter: Filter | undefined): number[] => {
    const pass = predicate(filter);
    const slots: number[] = [];
    for (const slot of matrix.inIdOrder()) {
      if (!pass || pass(matrix.payloadAt(slot), matrix.idAt(slot))) slots.push(slot);
    }
    return slots;
  };

  const output = (c: OpenCollection, slot: number, withVector: boolean): StoredPoint => {
    const point: StoredPoint = { id: c.matrix.idAt(slot), payload: structuredClone(c.matrix.payloadAt(slot)) };
    const vector = withVector ? c.vectorAt(slot) : undefined;
    if (vector) point.vector = vector;
    return point;
  };

  const removeIds = (c: OpenCollection, ids: string[]): number => {
    const present = ids.filter((id) => c.matrix.find(id) !== undefined);
    const keys = commit(c, () => present.flatMap((id) => sql.deletePoint.all(c.name, id).map((r) => r.key)));
    for (const id of present) c.matrix.remove(id);
    c.index.remove(keys);
    return present.length;
  };

  /**
   * Runs `write` (which returns the keys it changed) in one transaction that
   * also logs them. When no other process had logged a change this one has
   * not applied, the collection is then current through the new seq.
   */
  const commit = (c: OpenCollection, write: () => number[]): number[] =>
    db.transaction(() => {
      const current = sql.changedAfter.get(c.name, c.appliedThrough)!.found === 0;
      const keys = write();
      let seq = c.appliedThrough;
      for (const key of keys) seq = Number(sql.logChange.run(c.name, key).lastInsertRowid);
      if (current) c.appliedThrough = seq;
      c.unsaved += keys.length;
      return keys;
    })();

  const search = async (name: string, q: SearchQuery): Promise<ScoredPoint[]> => {
    const { limit, offset } = checkPaging(q.limit, q.offset);
    const c = await use(name);
    const query = vectorFor(name, c.binding, q.vector, 'the query vector');
    const plan: SearchPlanInput = {
      query,
      ...compiled(q.filter),
      wanted: limit + offset,
      // Qdrant keeps scores strictly above the threshold, compared as f32 (see SearchQuery.scoreThreshold).
      threshold: Math.fround(q.scoreThreshold ?? -Infinity),
      exact: q.exact,
      hnswEf: q.hnswEf,
      candidatesPerHit: q.oversampling,
      fullScanPoints: fullScanPoints(fullScanThresholdKb, c.binding.dimensions),
    };
    const how = planSearch(c, plan);
    let top: TopK | undefined = how.kind === 'graph' ? graphSearch(c, plan, how.candidates) : undefined;
    if (!top) {
      // The scan yields between blocks; a delete that moves rows meanwhile makes it start over in one go.
      top = await scanAll(c, plan, () => db.open && opening.get(name) !== undefined && open.get(name) === c);
      assertLive();
      top ??= scanAllNow(c, plan);
    }
    return top
      .sorted()
      .slice(offset)
      .map(({ slot, score }): ScoredPoint => ({ ...output(c, slot, q.withVector === true), score: Math.fround(score) }));
  };

  return {
    async createCollection(name, { feature, config }) {
      return live(() => {
        assertCollectionName(name);
        checkBinding(name, feature, features);
        if (sql.collection.get(name)) {
          throw new SightlineError(ErrorCode.COLLECTION_EXISTS, `collection "${name}" already exists`, {
            collection: name,
          });
        }
        const createdAt = new Date().toISOString();
        sql.insertCollection.run(name, JSON.stringify(feature), JSON.stringify(cleanPayload(config, name)), createdAt);
        logger.info('collection created', { collection: name, feature: feature.featureUri });
        return record(sql.collection.get(name)!);
      });
    },

    async getCollection(name) {
      return live(() => {
        assertCollectionName(name);
        const row = sql.collection.get(name);
        if (!row) return undefined;
        const found = record(row);
        checkBinding(name, found.feature, features);
        return found;
      });
    },

    async listCollections() {
      return live(() => sql.collections.all().map(record));
    },

    async deleteCollection(name) {
      return live(() => {
        assertCollectionName(name);
        const deleted = db.transaction(() => {
          sql.deleteAllPoints.run(name);
          sql.deleteChanges.run(name);
          sql.deletePruned.run(name);
          return sql.deleteCollection.run(name).changes > 0;
        })();
        opening.delete(name);
        open.delete(name);
        removeIndex(dataDir, name);
        if (deleted) logger.info('collection deleted', { collection: name });
        return deleted;
      });
    },

    async upsert(name, points, signal) {
      const { binding } = await use(name);
      const checked = points.map((p) => {
        const id = pointId(p.id);
        return { id, vector: vectorFor(name, binding, p.vector, `the vector of point ${id}`), payload: cleanPayload(p.payload, id) };
      });
      // Points sharing an id: the last one wins, as in Qdrant (qdrant/qdrant#9585), and the index sees each key once.
      const prepared = [...new Map(checked.map((p) => [p.id, p])).values()];
      for (let start = 0; start < prepared.length; start += WRITE_CHUNK) {
        if (start > 0) await yieldToEventLoop();
        signal?.throwIfAborted();
        const chunk = prepared.slice(start, start + WRITE_CHUNK);
        const c = await use(name);
        const keys = commit(c, () =>
          chunk.map((p) => {
            const blob = Buffer.from(p.vector.buffer, p.vector.byteOffset, p.vector.byteLength);
            return sql.upsertPoint.get(name, p.id, JSON.stringify(p.payload), blob)!.key;
          }),
        );
        c.index.put(keys, c.matrix.putAll(chunk.map((p, i) => ({ ...p, key: keys[i]! }))));
      }
    },

    async get(name, ids, opts = {}) {
      const c = await use(name);
      const slots = pointIds(ids).map((id) => c.matrix.find(id));
      return slots.filter((s) => s !== undefined).map((s) => output(c, s, opts.withVector === true));
    },

    async delete(name, request) {
      const selector = deleteSelector(request);
      const c = await use(name);
      const ids =
        'ids' in selector
          ? selector.ids
          : matchingInIdOrder(c.matrix, 'filter' in selector ? selector.filter : undefined).map((slot) => c.matrix.idAt(slot));
      return removeIds(c, ids);
    },

    async count(name, filter) {
      const { matrix } = await use(name);
      const pass = predicate(filter);
      if (!pass) return matrix.size;
      let n = 0;
      for (let slot = 0; slot < matrix.size; slot++) if (pass(matrix.payloadAt(slot), matrix.idAt(slot))) n++;
      return n;
    },

    search,

    async scroll(name, q) {
      const c = await use(name);
      const { limit, offset } = checkPaging(q.limit, q.offset);
      return matchingInIdOrder(c.matrix, q.filter)
        .slice(offset, offset + limit)
        .map((slot) => output(c, slot, false));
    },

    async ensurePayloadIndexes(name, fields) {
      await use(name);
      for (const { key, type } of fields) {
        if (parsePayloadPath(key) === undefined || !['keyword', 'float', 'integer', 'bool', 'datetime'].includes(type)) {
          // The ingest pipeline picks keys and types from validated passthrough rules: a bad one is a bug.
          throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `cannot index payload field "${key}" as ${type}`);
        }
      }
      // Nothing to build: filters run over payloads already parsed in memory.
    },

    /** Ready once every collection bound to a feature this server offers is open; the first call starts opening them. */
    async ping() {
      const names = live(() => sql.collections.all())
        .filter((row) => offered(parseBinding(row)))
        .map((row) => row.name);
      const pending = names.filter((name) => !open.has(name));
      for (const name of pending) if (!opening.has(name)) void use(name).catch(() => undefined);
      if (pending.length > 0) {
        throw new SightlineError(ErrorCode.STORE_UNAVAILABLE, `opening ${pending.length} collection(s): ${pending.slice(0, 5).join(', ')}`);
      }
    },

    /** Saves every index that changed since it was loaded, so the next start replays nothing. */
    async close() {
      if (!db.open) return;
      await Promise.allSettled(opening.values());
      for (const c of open.values()) {
        if (c.unsaved === 0) continue;
        try {
          persist(ctx, c);
        } catch (err) {
          logger.warn('could not save the ann index; the next open rebuilds or replays it', { collection: c.name, err });
        }
      }
      for (const c of open.values()) c.matrix.close();
      opening.clear();
      open.clear();
      db.close();
    },
  };
}

function parseBinding(row: CollectionRow): FeatureBinding {
  return parseStoredJson(featureBindingSchema, row.feature, { collection: row.name, what: 'the feature binding' });
}

function dataVersion(db: Database.Database): number {
  return db.pragma('data_version', { simple: true }) as number;
}
