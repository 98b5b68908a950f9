/**
 * The Qdrant vector store, for deployments that outgrow one machine: one
 * Qdrant collection per Sightline collection (`sightline_<name>`), a named
 * vector for the feature it is bound to, and the feature binding and extractor config kept in
 * the collection's metadata (Qdrant 1.15.4+), checked whenever it is opened.
 * Filters already have Qdrant's shape and pass through after validation.
 * Holds no state another replica would need.
 */
import type { Schemas } from '@qdrant/js-client-rest';
import type { z } from 'zod';
import type { QdrantSettings } from '../config.ts';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { validateFilter, type Filter } from './filter.ts';
import {
  anyAnswer,
  collectionInfoAnswer,
  collectionsAnswer,
  countAnswer,
  denseVectorSchema,
  existenceAnswer,
  metadataSchema,
  namedVectorsSchema,
  pointsAnswer,
  queryAnswer,
  versionAnswer,
  type QdrantPoint,
  type SightlineMetadata,
} from './qdrant-answers.ts';
import { DEFAULT_RETRY, isConflict, isNotFound, qdrantError, withRetries, type RetryPolicy } from './qdrant-calls.ts';
import { createQdrantHttp, type QdrantRequest } from './qdrant-http.ts';
import { checkServerVersion } from './qdrant-version.ts';
import {
  assertCollectionName,
  checkBinding,
  checkPaging,
  deleteSelector,
  cleanPayload,
  collectionNotFound,
  pointId,
  pointIds,
  vectorFor,
} from './store-input.ts';
import { checkStored } from './stored-data.ts';
import type { CollectionRecord, FeatureBinding, Payload, SearchQuery, StoredPoint, VectorStore } from './vector-store.ts';

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  /** The features this server offers; a collection bound to any other is refused (FEATURE_MISMATCH). */
  features: readonly FeatureBinding[];
  logger: Logger;
  settings: QdrantSettings;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** Qdrant's server-side timeout for index creation and delete by filter. @default 120 */
  longCallTimeoutS?: number;
  /** @default 5 attempts, 200 ms doubling to 5 s, Retry-After up to 30 s */
  retry?: RetryPolicy;
}

const PREFIX = 'sightline_';
/** Qdrant refuses requests over 32 MB; stay far below it. */
const MAX_UPSERT_BYTES = 4 * 1024 * 1024;
const MAX_UPSERT_POINTS = 256;
/** How much longer than Qdrant's own deadline a long call waits, so Qdrant's 408 arrives rather than our abort. */
const LONG_CALL_GRACE_MS = 5_000;


export function createQdrantStore(opts: QdrantStoreOptions): VectorStore {
  const { features, logger, settings } = opts;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const http = createQdrantHttp({ url: opts.url, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? 10_000 });
  const longCallS = opts.longCallTimeoutS ?? 120;
  const long = { query: { timeout: longCallS }, timeoutMs: longCallS * 1000 + LONG_CALL_GRACE_MS };
  /** Every write waits until applied, in the configured order, so a following read sees it. */
  const write = { wait: true, ordering: settings.writeOrdering };
  const read = { consistency: settings.readConsistency };
  /** Collections whose binding was checked by this process, with it: their named vector and its width. */
  const verified = new Map<string, FeatureBinding>();
  let serverChecked: Promise<void> | undefined;

  /** The first call reads the server's version; a failure to reach it is tried again next time. */
  const checkServer = (signal?: AbortSignal): Promise<void> => {
    serverChecked ??= http
      .call({ method: 'GET', path: '/', signal }, versionAnswer)
      .catch((err: unknown) => {
        serverChecked = undefined;
        throw qdrantError(err, 'reading the server version');
      })
      .then((info) => checkServerVersion(info.version));
    return serverChecked;
  };

  const call = async <T>(what: string, answer: z.ZodType<T>, req: QdrantRequest): Promise<T> => {
    await checkServer(req.signal);
    try {
      return await withRetries(() => http.call(req, answer), retry, (attempt, delayMs, err) =>
        logger.warn('qdrant call failed, retrying', { what, attempt, delayMs: Math.round(delayMs), err }), req.signal);
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw qdrantError(err, what);
    }
  };

  const points = (name: string, suffix = '') => `/collections/${PREFIX}${name}/points${suffix}`;

  /** Calls on one collection's points: a 404 means the collection is gone. */
  const onCollection = async <T>(name: string, what: string, answer: z.ZodType<T>, req: QdrantRequest): Promise<T> => {
    await open(name);
    try {
      return await call(what, answer, req);
    } catch (err) {
      if (err instanceof SightlineError && err.details.status === 404) {
        verified.delete(name);
        throw collectionNotFound(name);
      }
      throw err;
    }
  };

  const countOf = async (name: string, filter: Schemas['Filter'] | undefined): Promise<number> => {
    const { count } = await onCollection(name, 'count', countAnswer, {
      method: 'POST',
      path: points(name, '/count'),
      query: read,
      body: filter === undefined ? { exact: true } : { filter, exact: true },
    });
    return count;
  };

  const describe = async (name: string): Promise<CollectionRecord | undefined> => {
    assertCollectionName(name);
    let info: z.infer<typeof collectionInfoAnswer>;
    try {
      await checkServer();
      info = await withRetries(() => http.call({ method: 'GET', path: `/collections/${PREFIX}${name}` }, collectionInfoAnswer), retry, () => {});
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw qdrantError(err, `reading collection "${name}"`);
    }
    const meta = checkStored(metadataSchema, info.config.metadata, { collection: name, what: 'the collection metadata' })?.sightline;
    const feature = meta?.feature ?? unboundFeature(info.config.params.vectors);
    const { count } = await call('count', countAnswer, {
      method: 'POST',
      path: points(name, '/count'),
      query: read,
      body: { exact: true },
    });
    return { name, feature, config: meta?.config ?? {}, createdAt: meta?.created_at ?? '', pointCount: count };
  };

  const open = async (name: string): Promise<FeatureBinding> => {
    assertCollectionName(name);
    const known = verified.get(name);
    if (known) return known;
    const found = await describe(name);
    if (!found) throw collectionNotFound(name);
    const binding = checkBinding(name, found.feature, features);
    verified.set(name, binding);
    return binding;
  };

  const cleanFilter = (filter: Filter | undefined) => (filter === undefined ? undefined : (validateFilter(filter) as Schemas['Filter']));

  /** A point as Qdrant returned it; with `binding`, its vector too, checked to have the collection's width. */
  const output = (name: string, p: QdrantPoint, binding?: FeatureBinding): StoredPoint => {
    const point: StoredPoint = { id: String(p.id), payload: p.payload ?? {} };
    const vector = binding && p.vector?.[binding.vectorName];
    if (binding && vector !== undefined) {
      const source = { collection: name, what: `the vector of point ${point.id}` };
      point.vector = Float32Array.from(checkStored(denseVectorSchema.length(binding.dimensions), vector, source));
    }
    return point;
  };

  return {
    async createCollection(name, { feature, config }) {
      assertCollectionName(name);
      checkBinding(name, feature, features);
      const metadata: SightlineMetadata = { feature, config: cleanPayload(config, name), created_at: new Date().toISOString() };
      const body: Schemas['CreateCollection'] = {
        ...collectionSettings(settings, feature.vectorName, feature.dimensions),
        metadata: { sightline: metadata } as unknown as Schemas['CreateCollection']['metadata'],
      };
      try {
        await checkServer();
        // Not retried: a retry after a lost answer would report COLLECTION_EXISTS for our own collection.
        await http.call({ method: 'PUT', path: `/collections/${PREFIX}${name}`, query: long.query, timeoutMs: long.timeoutMs, body }, anyAnswer);
      } catch (err) {
        if (isConflict(err)) {
          throw new SightlineError(ErrorCode.COLLECTION_EXISTS, `collection "${name}" already exists`, { collection: name });
        }
        throw qdrantError(err, `creating collection "${name}"`);
      }
      verified.set(name, feature);
      logger.info('collection created', { collection: name, feature: feature.featureUri });
      return { name, feature, config: metadata.config, createdAt: metadata.created_at, pointCount: 0 };
    },

    async getCollection(name) {
      const found = await describe(name);
      if (found) checkBinding(name, found.feature, features);
      return found;
    },

    async listCollections() {
      const { collections } = await call('listing collections', collectionsAnswer, { method: 'GET', path: '/collections' });
      const names = collections.map((c) => c.name).filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length)).sort();
      const records = await Promise.all(names.map(describe));
      return records.filter((r) => r !== undefined);
    },

    async deleteCollection(name) {
      assertCollectionName(name);
      verified.delete(name);
      const path = `/collections/${PREFIX}${name}`;
      const { exists } = await call('checking collection', existenceAnswer, { method: 'GET', path: `${path}/exists` });
      if (!exists) return false;
      await call(`deleting collection "${name}"`, anyAnswer, { method: 'DELETE', path, query: long.query, timeoutMs: long.timeoutMs });
      logger.info('collection deleted', { collection: name });
      return true;
    },

    async upsert(name, input, signal) {
      const binding = await open(name);
      const prepared = input.map((p) => {
        const id = pointId(p.id);
        const vector = vectorFor(name, binding, p.vector, `the vector of point ${id}`);
        return { id, vector: { [binding.vectorName]: Array.from(vector) }, payload: cleanPayload(p.payload, id) };
      });
      for (const chunk of upsertChunks(prepared, binding.dimensions)) {
        signal?.throwIfAborted();
        // Upsert by id is idempotent, so a retried chunk cannot duplicate points.
        await onCollection(name, 'upsert', anyAnswer, { method: 'PUT', path: points(name), query: write, body: { points: chunk }, signal });
      }
    },

    async get(name, ids, opts = {}) {
      const wanted = pointIds(ids);
      if (wanted.length === 0) return [];
      const binding = await open(name);
      const { vectorName } = binding;
      const found = await onCollection(name, 'retrieve', pointsAnswer, {
        method: 'POST',
        path: points(name),
        query: read,
        body: { ids: wanted, with_payload: true, with_vector: opts.withVector ? [vectorName] : false },
      });
      const byId = new Map(found.map((p) => [String(p.id), p]));
      return wanted.flatMap((id) => (byId.has(id) ? [output(name, byId.get(id)!, opts.withVector ? binding : undefined)] : []));
    },

    async delete(name, request) {
      const selector = deleteSelector(request);
      // `all` is Qdrant's empty filter, which selects every point.
      const filter: Filter = 'ids' in selector ? { must: [{ has_id: selector.ids }] } : 'filter' in selector ? selector.filter : {};
      const qfilter = cleanFilter(filter)!;
      // Qdrant does not say how many it deleted; count first (a concurrent write may skew it).
      const count = await countOf(name, qfilter);
      if (count > 0) {
        await onCollection(name, 'delete', anyAnswer, {
          method: 'POST',
          path: points(name, '/delete'),
          query: { ...write, ...long.query },
          timeoutMs: long.timeoutMs,
          body: { filter: qfilter },
        });
      }
      return count;
    },

    async count(name, filter) {
      return countOf(name, cleanFilter(filter));
    },

    async search(name, q) {
      const { limit, offset } = checkPaging(q.limit, q.offset);
      const binding = await open(name);
      const { vectorName } = binding;
      const vector = vectorFor(name, binding, q.vector, 'the query vector');
      const filter = cleanFilter(q.filter);
      const { points: hits } = await onCollection(name, 'search', queryAnswer, {
        method: 'POST',
        path: points(name, '/query'),
        query: read,
        body: {
          query: Array.from(vector),
          using: vectorName,
          filter,
          limit,
          offset,
          score_threshold: q.scoreThreshold,
          params: searchParams(q, settings),
          with_payload: true,
          with_vector: q.withVector ? [vectorName] : false,
        },
      });
      return hits.map((p) => ({ ...output(name, p, q.withVector ? binding : undefined), score: p.score }));
    },

    async scroll(name, q) {
      const { limit, offset } = checkPaging(q.limit, q.offset);
      const filter = cleanFilter(q.filter);
      // The query API without a query lists points in id order and takes a numeric offset.
      const { points: found } = await onCollection(name, 'scroll', queryAnswer, {
        method: 'POST',
        path: points(name, '/query'),
        query: read,
        body: { filter, limit, offset, with_payload: true, with_vector: false },
      });
      return found.map((p) => output(name, p));
    },

    async ensurePayloadIndexes(name, fields) {
      for (const { key, type } of fields) {
        await onCollection(name, `indexing "${key}"`, anyAnswer, {
          method: 'PUT',
          path: `/collections/${PREFIX}${name}/index`,
          query: { ...write, ...long.query },
          timeoutMs: long.timeoutMs,
          body: { field_name: key, field_schema: type },
        });
      }
    },

    async ping() {
      await checkServer();
      try {
        // GET / answers without a key; listing collections proves the key is accepted. Not retried: readiness is now.
        await http.call({ method: 'GET', path: '/collections' }, anyAnswer);
      } catch (err) {
        throw qdrantError(err, 'ping');
      }
    },

    async close() {
      verified.clear();
    },
  };
}

/** What a new collection is made with; see the README's Qdrant settings. */
function collectionSettings(s: QdrantSettings, vectorName: string, size: number): Schemas['CreateCollection'] {
  return {
    vectors: { [vectorName]: { size, distance: 'Cosine', on_disk: s.onDiskVectors } },
    ...(s.shardNumber === undefined ? {} : { shard_number: s.shardNumber }),
    replication_factor: s.replicationFactor,
    write_consistency_factor: s.writeConsistencyFactor,
    on_disk_payload: s.onDiskPayload,
    hnsw_config: { m: s.hnswM, ef_construct: s.hnswEfConstruct },
    ...(s.quantization === 'int8' ? { quantization_config: { scalar: { type: 'int8', always_ram: true } } } : {}),
  };
}

function searchParams(q: SearchQuery, s: QdrantSettings): Schemas['SearchParams'] {
  const params: Schemas['SearchParams'] = { exact: q.exact ?? false };
  if (q.hnswEf !== undefined) params.hnsw_ef = q.hnswEf;
  if (s.quantization !== 'none' && (q.rescore !== undefined || q.oversampling !== undefined)) {
    params.quantization = { rescore: q.rescore, oversampling: q.oversampling };
  }
  return params;
}

/** A collection made outside Sightline: report what it holds so the mismatch is explained. */
function unboundFeature(vectors: unknown): FeatureBinding {
  const named = namedVectorsSchema.safeParse(vectors);
  const [vectorName, params] = Object.entries(named.success ? named.data : {})[0] ?? ['', { size: 0 }];
  return { featureUri: '(none recorded)', vectorName, dimensions: params.size, distance: 'cosine' };
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
