/**
 * The Qdrant vector store, for deployments that outgrow one machine: one
 * Qdrant collection per Sightline collection (`sightline_<name>`), a named
 * vector for the feature, and the feature binding and extractor config kept in
 * the collection's metadata (Qdrant 1.16+), checked whenever it is opened.
 * Filters already have Qdrant's shape and pass through after validation.
 * Holds no state another replica would need.
 */
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { validateFilter, type Filter } from './filter.ts';
import { DEFAULT_RETRY, isConflict, isNotFound, qdrantError, withRetries, type RetryPolicy } from './qdrant-calls.ts';
import {
  assertBinding,
  assertCollectionName,
  checkPaging,
  cleanPayload,
  collectionNotFound,
  pointId,
  pointIds,
} from './store-input.ts';
import { normalisedCopy } from './vector-math.ts';
import type { CollectionRecord, FeatureBinding, Payload, StoredPoint, VectorStore } from './vector-store.ts';

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  expected: FeatureBinding;
  logger: Logger;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** @default 5 attempts, 200 ms doubling to 5 s */
  retry?: RetryPolicy;
}

const PREFIX = 'sightline_';
/** Qdrant refuses requests over 32 MB; stay far below it. */
const MAX_UPSERT_BYTES = 4 * 1024 * 1024;
const MAX_UPSERT_POINTS = 256;

interface SightlineMetadata {
  feature: FeatureBinding;
  config: Payload;
  created_at: string;
}

type QdrantPoint = { id: string | number; payload?: Record<string, unknown> | null; vector?: unknown };

export function createQdrantStore(opts: QdrantStoreOptions): VectorStore {
  const { expected, logger } = opts;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const client = new QdrantClient({
    url: opts.url,
    apiKey: opts.apiKey,
    timeout: opts.timeoutMs ?? 10_000,
    // The check would fire a request (and console.warn) from the constructor.
    checkCompatibility: false,
  });
  const vectorName = expected.vectorName;
  /** Collections whose binding was checked by this process. */
  const verified = new Set<string>();

  const call = async <T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    try {
      return await withRetries(fn, retry, (attempt, delayMs, err) =>
        logger.warn('qdrant call failed, retrying', { what, attempt, delayMs: Math.round(delayMs), err }), signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw qdrantError(err, what);
    }
  };

  /** Calls on one collection's points: a 404 means the collection is gone. */
  const onCollection = async <T>(name: string, what: string, fn: (qname: string) => Promise<T>, signal?: AbortSignal) => {
    await open(name);
    try {
      return await call(what, () => fn(PREFIX + name), signal);
    } catch (err) {
      if (err instanceof SightlineError && err.details.status === 404) {
        verified.delete(name);
        throw collectionNotFound(name);
      }
      throw err;
    }
  };

  const describe = async (name: string): Promise<CollectionRecord | undefined> => {
    assertCollectionName(name);
    let info: Schemas['CollectionInfo'];
    try {
      info = await withRetries(() => client.getCollection(PREFIX + name), retry, () => {});
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw qdrantError(err, `reading collection "${name}"`);
    }
    const meta = (info.config.metadata as { sightline?: SightlineMetadata } | null | undefined)?.sightline;
    const feature = meta?.feature ?? unboundFeature(info);
    const { count } = await call('count', () => client.count(PREFIX + name, { exact: true }));
    return { name, feature, config: meta?.config ?? {}, createdAt: meta?.created_at ?? '', pointCount: count };
  };

  const open = async (name: string): Promise<void> => {
    assertCollectionName(name);
    if (verified.has(name)) return;
    const found = await describe(name);
    if (!found) throw collectionNotFound(name);
    assertBinding(name, found.feature, expected);
    verified.add(name);
  };

  const cleanFilter = (filter: Filter | undefined) => (filter === undefined ? undefined : (validateFilter(filter) as Schemas['Filter']));

  const output = (p: QdrantPoint, withVector: boolean): StoredPoint => {
    const point: StoredPoint = { id: String(p.id), payload: p.payload ?? {} };
    const vector = (p.vector as Record<string, number[]> | undefined)?.[vectorName];
    if (withVector && vector) point.vector = Float32Array.from(vector);
    return point;
  };

  return {
    async createCollection(name, { feature, config }) {
      assertCollectionName(name);
      assertBinding(name, feature, expected);
      const metadata: SightlineMetadata = { feature, config: cleanPayload(config, name), created_at: new Date().toISOString() };
      try {
        // Through api(): the client's createCollection() drops `metadata`.
        await client.api().createCollection({
          collection_name: PREFIX + name,
          vectors: { [vectorName]: { size: feature.dimensions, distance: 'Cosine' } },
          metadata: { sightline: metadata },
        } as never);
      } catch (err) {
        if (isConflict(err)) {
          throw new SightlineError(ErrorCode.COLLECTION_EXISTS, `collection "${name}" already exists`, { collection: name });
        }
        throw qdrantError(err, `creating collection "${name}"`);
      }
      verified.add(name);
      logger.info('collection created', { collection: name, feature: feature.featureUri });
      return { name, feature, config: metadata.config, createdAt: metadata.created_at, pointCount: 0 };
    },

    async getCollection(name) {
      const found = await describe(name);
      if (found) assertBinding(name, found.feature, expected);
      return found;
    },

    async listCollections() {
      const { collections } = await call('listing collections', () => client.getCollections());
      const names = collections.map((c) => c.name).filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length)).sort();
      const records = await Promise.all(names.map(describe));
      return records.filter((r) => r !== undefined);
    },

    async deleteCollection(name) {
      assertCollectionName(name);
      verified.delete(name);
      const { exists } = await call('checking collection', () => client.collectionExists(PREFIX + name));
      if (!exists) return false;
      await call(`deleting collection "${name}"`, () => client.deleteCollection(PREFIX + name));
      logger.info('collection deleted', { collection: name });
      return true;
    },

    async upsert(name, points, signal) {
      const prepared = points.map((p) => {
        const id = pointId(p.id);
        const vector = normalisedCopy(p.vector, expected.dimensions, `vector of point ${id}`);
        return { id, vector: { [vectorName]: Array.from(vector) }, payload: cleanPayload(p.payload, id) };
      });
      for (const chunk of upsertChunks(prepared, expected.dimensions)) {
        signal?.throwIfAborted();
        // Upsert by id is idempotent, so a retried chunk cannot duplicate points.
        await onCollection(name, 'upsert', (q) => client.upsert(q, { wait: true, points: chunk }), signal);
      }
    },

    async get(name, ids, opts = {}) {
      const wanted = pointIds(ids);
      if (wanted.length === 0) return [];
      const found = await onCollection(name, 'retrieve', (q) =>
        client.retrieve(q, { ids: wanted, with_payload: true, with_vector: opts.withVector ? [vectorName] : false }));
      const byId = new Map(found.map((p) => [String(p.id), p]));
      return wanted.flatMap((id) => (byId.has(id) ? [output(byId.get(id)!, opts.withVector === true)] : []));
    },

    async delete(name, selector) {
      const filter: Filter = 'ids' in selector ? { must: [{ has_id: pointIds(selector.ids) }] } : selector.filter;
      const qfilter = cleanFilter(filter)!;
      // Qdrant does not say how many it deleted; count first (a concurrent write may skew it).
      const { count } = await onCollection(name, 'count', (q) => client.count(q, { filter: qfilter, exact: true }));
      if (count > 0) await onCollection(name, 'delete', (q) => client.delete(q, { wait: true, filter: qfilter }));
      return count;
    },

    async count(name, filter) {
      const qfilter = cleanFilter(filter);
      const { count } = await onCollection(name, 'count', (q) => client.count(q, { filter: qfilter, exact: true }));
      return count;
    },

    async search(name, q) {
      const { limit, offset } = checkPaging(q.limit, q.offset);
      const vector = normalisedCopy(q.vector, expected.dimensions, 'query vector');
      const filter = cleanFilter(q.filter);
      const { points } = await onCollection(name, 'search', (qname) =>
        client.query(qname, {
          query: Array.from(vector),
          using: vectorName,
          filter,
          limit,
          offset,
          score_threshold: q.scoreThreshold,
          params: { exact: q.exact ?? false, ...(q.hnswEf === undefined ? {} : { hnsw_ef: q.hnswEf }) },
          with_payload: true,
          with_vector: q.withVector ? [vectorName] : false,
        }));
      return points.map((p) => ({ ...output(p, q.withVector === true), score: p.score }));
    },

    async scroll(name, q) {
      const { limit, offset } = checkPaging(q.limit, q.offset);
      const filter = cleanFilter(q.filter);
      // The query API without a query lists points in id order and takes a numeric offset.
      const { points } = await onCollection(name, 'scroll', (qname) =>
        client.query(qname, { filter, limit, offset, with_payload: true, with_vector: false }));
      return points.map((p) => output(p, false));
    },

    async ensurePayloadIndexes(name, fields) {
      for (const { key, type } of fields) {
        await onCollection(name, `indexing "${key}"`, (q) =>
          client.createPayloadIndex(q, { wait: true, field_name: key, field_schema: type }));
      }
    },

    async ping() {
      try {
        await client.versionInfo();
      } catch (err) {
        throw qdrantError(err, 'ping');
      }
    },

    async close() {
      verified.clear();
    },
  };
}

/** A collection made outside Sightline: report what it holds so the mismatch is explained. */
function unboundFeature(info: Schemas['CollectionInfo']): FeatureBinding {
  const vectors = info.config.params.vectors as Record<string, { size?: number }> | undefined;
  const [vectorName, params] = Object.entries(vectors ?? {})[0] ?? ['', {}];
  return { featureUri: '(none recorded)', vectorName, dimensions: params.size ?? 0, distance: 'cosine' };
}

/** Splits points into upsert requests well under Qdrant's request-size limit. */
function upsertChunks<T extends { payload: Payload }>(points: T[], dimensions: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const point of points) {
    // ~13 characters per float in JSON, plus the payload.
    const size = dimensions * 13 + JSON.stringify(point.payload).length + 100;
    if (current.length > 0 && (bytes + size > MAX_UPSERT_BYTES || current.length >= MAX_UPSERT_POINTS)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(point);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
