/**
 * The vector-store adapter: one interface, an embedded (SQLite) and a Qdrant
 * implementation, both held to the same conformance suite
 * (test/store/conformance.ts).
 */
import type { FeatureDescriptor } from '../extractor/features/index.ts';
import type { Filter } from './filter.ts';

/** The feature a collection is bound to; checked whenever a collection is opened. */
export interface FeatureBinding {
  featureUri: string;
  vectorName: string;
  dimensions: number;
  distance: 'cosine';
}

/** What the store keeps and checks for a collection bound to `feature`. */
export function featureBinding(feature: FeatureDescriptor): FeatureBinding {
  return {
    featureUri: feature.featureUri,
    vectorName: feature.outputName,
    dimensions: feature.dimensions,
    distance: feature.distance,
  };
}

/** JSON; passthrough fields live at their dotted target paths, nested. */
export type Payload = Record<string, unknown>;

export interface PointInput {
  /** A UUID; stores return it in canonical lower-case form. */
  id: string;
  vector: Float32Array;
  payload: Payload;
}

export interface StoredPoint {
  id: string;
  payload: Payload;
  /** The stored vector, L2-normalised on upsert (as Qdrant does for Cosine). */
  vector?: Float32Array;
}

export interface ScoredPoint extends StoredPoint {
  /** Cosine similarity to the query. */
  score: number;
}

export interface CollectionRecord {
  name: string;
  feature: FeatureBinding;
  /** The collection's extractor config; opaque to the store. */
  config: Payload;
  /** ISO-8601. */
  createdAt: string;
  pointCount: number;
}

export interface SearchQuery {
  vector: Float32Array;
  filter?: Filter;
  limit: number;
  offset?: number;
  /**
   * Hits keep only scores strictly greater than this, compared as f32: Qdrant's
   * rule for cosine (lib/segment/src/types.rs, `Distance::check_threshold`,
   * `score > threshold` for larger-is-better distances, applied in
   * lib/collection/src/shards/local_shard/search.rs).
   */
  scoreThreshold?: number;
  withVector?: boolean;
  /**
   * Compare the query with every vector instead of walking an approximate
   * (HNSW) index: slower on large collections, never misses a neighbour.
   */
  exact?: boolean;
  /** HNSW beam width: larger finds more true neighbours and costs more time. Ignored when exact. */
  hnswEf?: number;
  /** With quantized vectors: re-score the candidates with the original vectors. */
  rescore?: boolean;
  /** With quantized vectors: candidates preselected per hit asked for (≥ 1). */
  oversampling?: number;
}

export interface ScrollQuery {
  filter?: Filter;
  limit: number;
  offset?: number;
}

/** What a delete removes; every point only when said explicitly (store-input.ts, `deleteSelector`, checks it). */
export type PointSelector = { ids: string[] } | { filter: Filter } | { all: true };

export type PayloadIndexType = 'keyword' | 'float' | 'integer' | 'bool' | 'datetime';

export interface VectorStore {
  /** COLLECTION_EXISTS when taken; FEATURE_MISMATCH when `feature` is not the one this build expects. */
  createCollection(name: string, init: { feature: FeatureBinding; config: Payload }): Promise<CollectionRecord>;
  /** FEATURE_MISMATCH when the recorded binding differs from the expected one. */
  getCollection(name: string): Promise<CollectionRecord | undefined>;
  /** Every collection, whatever its binding (the record shows it); sorted by name. */
  listCollections(): Promise<CollectionRecord[]>;
  deleteCollection(name: string): Promise<boolean>;
  /** Resolves once the points are durable. Same id again replaces the point. */
  upsert(collection: string, points: PointInput[], signal?: AbortSignal): Promise<void>;
  /** Points that exist, in the order of `ids`; unknown ids are left out. */
  get(collection: string, ids: string[], opts?: { withVector?: boolean }): Promise<StoredPoint[]>;
  /** Returns how many points were deleted. UNSCOPED_DELETE unless the selector names points (or says `all: true`). */
  delete(collection: string, selector: PointSelector): Promise<number>;
  count(collection: string, filter?: Filter): Promise<number>;
  /** Best first; equal scores in id order (embedded store). */
  search(collection: string, q: SearchQuery): Promise<ScoredPoint[]>;
  /** Filter-only listing in id order, so pages neither repeat nor skip. */
  scroll(collection: string, q: ScrollQuery): Promise<StoredPoint[]>;
  ensurePayloadIndexes(collection: string, fields: Array<{ key: string; type: PayloadIndexType }>): Promise<void>;
  /** Readiness: STORE_UNAVAILABLE when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
