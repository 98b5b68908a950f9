/**
 * The embedded vector store (the default): points durable in SQLite, each
 * collection's vectors scanned from memory for exact cosine search.
 *
 * A collection's points are loaded into a PointMatrix on first use. Writes go
 * to SQLite first (one transaction, acknowledged once durable) and then to the
 * matrix. If another process writes the same file (the CLI beside a server),
 * SQLite's data_version changes and every cached collection is reloaded.
 */
import type Database from 'better-sqlite3';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { openDatabase, prepareStatements, type CollectionRow, type Statements } from './embedded-db.ts';
import { compileFilter, validateFilter, type Filter, type PointPredicate } from './filter.ts';
import { parsePayloadPath } from './payload-path.ts';
import { PointMatrix } from './point-matrix.ts';
import {
  assertBinding,
  assertCollectionName,
  checkPaging,
  deleteSelector,
  cleanPayload,
  collectionNotFound,
  pointId,
  pointIds,
} from './store-input.ts';
import { TopK } from './top-k.ts';
import { dotRow, normalisedCopy } from './vector-math.ts';
import type { CollectionRecord, FeatureBinding, Payload, ScoredPoint, StoredPoint, VectorStore } from './vector-store.ts';

export interface EmbeddedStoreOptions {
  /** Folder holding `sightline.db`; created when missing. */
  dataDir: string;
  /** The feature this build embeds with; collections bound to another are refused. */
  expected: FeatureBinding;
  logger: Logger;
}

/** Rows per write transaction, so a long upsert can be cancelled between them. */
const WRITE_CHUNK = 1000;

/**
 * Rows scored between yields to the event loop (a few milliseconds of work),
 * so a search over 100k vectors does not hold the server for its whole scan.
 */
const SCAN_CHUNK = 16_384;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Scan {
  matrix: PointMatrix;
  query: Float32Array;
  pass: PointPredicate | undefined;
  threshold: number;
  top: TopK;
}

/** Scores rows [from, to) into the scan's top-k. */
function scanRows(scan: Scan, dimensions: number, from: number, to: number): void {
  const { matrix, query, pass, threshold, top } = scan;
  const rows = matrix.rows;
  for (let slot = from; slot < to; slot++) {
    if (pass && !pass(matrix.payloadAt(slot), matrix.idAt(slot))) continue;
    const score = dotRow(rows, slot, query, dimensions);
    // Qdrant keeps scores strictly above the threshold, compared as f32 (see SearchQuery.scoreThreshold).
    if (!(Math.fround(score) > threshold) || score < top.floor) continue;
    top.offer(slot, score);
  }
}

export function createEmbeddedStore({ dataDir, expected, logger }: EmbeddedStoreOptions): VectorStore {
  const db = openDatabase(dataDir);
  const sql = prepareStatements(db);
  const loaded = new Map<string, PointMatrix>();
  let seenVersion = dataVersion(db);

  const live = <T>(work: () => T): T => {
    if (!db.open) throw new SightlineError(ErrorCode.STORE_UNAVAILABLE, 'the embedded store is closed');
    const version = dataVersion(db);
    if (version !== seenVersion) {
      loaded.clear();
      seenVersion = version;
    }
    return work();
  };

  const record = (row: CollectionRow): CollectionRecord => ({
    name: row.name,
    feature: JSON.parse(row.feature) as FeatureBinding,
    config: JSON.parse(row.config) as Payload,
    createdAt: row.created_at,
    pointCount: loaded.get(row.name)?.size ?? sql.countPoints.get(row.name)!.n,
  });

  /** The collection's points, loaded on first use; its binding checked. */
  const open = (name: string): PointMatrix => {
    assertCollectionName(name);
    const cached = loaded.get(name);
    if (cached) return cached;
    const row = sql.collection.get(name);
    if (!row) throw collectionNotFound(name);
    assertBinding(name, JSON.parse(row.feature) as FeatureBinding, expected);
    const matrix = loadMatrix(sql, name, expected.dimensions, logger);
    loaded.set(name, matrix);
    return matrix;
  };

  const predicate = (filter: Filter | undefined): PointPredicate | undefined =>
    filter === undefined ? undefined : compileFilter(validateFilter(filter));

  /** Slots passing the filter, in id order. */
  const matchingInIdOrder = (matrix: PointMatrix, filter: Filter | undefined): number[] => {
    const pass = predicate(filter);
    const slots: number[] = [];
    for (const slot of matrix.inIdOrder()) {
      if (!pass || pass(matrix.payloadAt(slot), matrix.idAt(slot))) slots.push(slot);
    }
    return slots;
  };

  const output = (matrix: PointMatrix, slot: number, withVector: boolean): StoredPoint => {
    const point: StoredPoint = { id: matrix.idAt(slot), payload: structuredClone(matrix.payloadAt(slot)) };
    if (withVector) point.vector = matrix.vectorAt(slot);
    return point;
  };

  const removeIds = (name: string, matrix: PointMatrix, ids: string[]): number => {
    const present = ids.filter((id) => matrix.find(id) !== undefined);
    db.transaction(() => {
      for (const id of present) sql.deletePoint.run(name, id);
    })();
    for (const id of present) matrix.remove(id);
    return present.length;
  };

  return {
    async createCollection(name, { feature, config }) {
      return live(() => {
        assertCollectionName(name);
        assertBinding(name, feature, expected);
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
        assertBinding(name, found.feature, expected);
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
          return sql.deleteCollection.run(name).changes > 0;
        })();
        loaded.delete(name);
        if (deleted) logger.info('collection deleted', { collection: name });
        return deleted;
      });
    },

    async upsert(name, points, signal) {
      live(() => open(name));
      const prepared = points.map((p) => {
        const id = pointId(p.id);
        return { id, vector: normalisedCopy(p.vector, expected.dimensions, `vector of point ${id}`), payload: cleanPayload(p.payload, id) };
      });
      for (let start = 0; start < prepared.length; start += WRITE_CHUNK) {
        signal?.throwIfAborted();
        const chunk = prepared.slice(start, start + WRITE_CHUNK);
        live(() => {
          const matrix = open(name);
          db.transaction(() => {
            for (const p of chunk) {
              const blob = Buffer.from(p.vector.buffer, p.vector.byteOffset, p.vector.byteLength);
              sql.upsertPoint.run(name, p.id, JSON.stringify(p.payload), blob);
            }
          })();
          for (const p of chunk) matrix.put(p.id, p.vector, p.payload);
        });
      }
    },

    async get(name, ids, opts = {}) {
      return live(() => {
        const matrix = open(name);
        const slots = pointIds(ids).map((id) => matrix.find(id));
        return slots.filter((s) => s !== undefined).map((s) => output(matrix, s, opts.withVector === true));
      });
    },

    async delete(name, request) {
      const selector = deleteSelector(request);
      return live(() => {
        const matrix = open(name);
        const ids =
          'ids' in selector
            ? selector.ids
            : matchingInIdOrder(matrix, 'filter' in selector ? selector.filter : undefined).map((slot) => matrix.idAt(slot));
        return removeIds(name, matrix, ids);
      });
    },

    async count(name, filter) {
      return live(() => {
        const matrix = open(name);
        const pass = predicate(filter);
        if (!pass) return matrix.size;
        let n = 0;
        for (let slot = 0; slot < matrix.size; slot++) if (pass(matrix.payloadAt(slot), matrix.idAt(slot))) n++;
        return n;
      });
    },

    async search(name, q) {
      const { limit, offset } = checkPaging(q.limit, q.offset);
      const query = normalisedCopy(q.vector, expected.dimensions, 'query vector');
      const start = (): Scan =>
        live(() => {
          const matrix = open(name);
          const top = new TopK(limit + offset, (slot) => matrix.idAt(slot));
          return { matrix, query, pass: predicate(q.filter), threshold: Math.fround(q.scoreThreshold ?? -Infinity), top };
        });
      let scan = start();
      const { matrix } = scan;
      const { layout, size } = matrix;
      // Rows appended meanwhile are simply not seen (the search happened first);
      // a delete moves rows, so then the scan is redone in one go.
      for (let from = 0; from < size; from += SCAN_CHUNK) {
        if (from > 0) await yieldToEventLoop();
        const intact = db.open && loaded.get(name) === matrix && matrix.layout === layout;
        if (!intact) break;
        scanRows(scan, expected.dimensions, from, Math.min(size, from + SCAN_CHUNK));
      }
      return live(() => {
        if (loaded.get(name) !== matrix || matrix.layout !== layout) {
          scan = start();
          scanRows(scan, expected.dimensions, 0, scan.matrix.size);
        }
        return scan.top
          .sorted()
          .slice(offset)
          .map(({ slot, score }): ScoredPoint => ({ ...output(scan.matrix, slot, q.withVector === true), score: Math.fround(score) }));
      });
    },

    async scroll(name, q) {
      return live(() => {
        const matrix = open(name);
        const { limit, offset } = checkPaging(q.limit, q.offset);
        return matchingInIdOrder(matrix, q.filter)
          .slice(offset, offset + limit)
          .map((slot) => output(matrix, slot, false));
      });
    },

    async ensurePayloadIndexes(name, fields) {
      live(() => open(name));
      for (const { key, type } of fields) {
        if (parsePayloadPath(key) === undefined || !['keyword', 'float', 'integer', 'bool'].includes(type)) {
          // The ingest pipeline picks keys and types from validated passthrough rules: a bad one is a bug.
          throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `cannot index payload field "${key}" as ${type}`);
        }
      }
      // Nothing to build: filters run over payloads already parsed in memory.
    },

    async ping() {
      live(() => db.prepare('SELECT 1').get());
    },

    async close() {
      loaded.clear();
      if (db.open) db.close();
    },
  };
}

function dataVersion(db: Database.Database): number {
  return db.pragma('data_version', { simple: true }) as number;
}

function loadMatrix(sql: Statements, name: string, dimensions: number, logger: Logger): PointMatrix {
  const started = performance.now();
  const matrix = new PointMatrix(dimensions, sql.countPoints.get(name)!.n);
  for (const row of sql.points.iterate(name)) {
    const vector = new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength));
    matrix.put(row.id, vector, JSON.parse(row.payload) as Payload);
  }
  logger.debug('collection loaded', { collection: name, points: matrix.size, ms: Math.round(performance.now() - started) });
  return matrix;
}
