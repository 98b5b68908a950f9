/**
 * What the GraphQL API needs from the rest of Sightline, in plain TypeScript
 * (not the generated GraphQL types), so the services know nothing of GraphQL.
 * Every failure a caller can act on is a SightlineError with its code; any
 * other throw is masked by the API as INTERNAL_SERVER_ERROR.
 */
import type { publicIdentity } from '../extractor/features/index.ts';
import type { Logger } from '../logger.ts';
import type { IngestJob } from '../ingest/ingest-jobs.ts';
import type { IngestItemResult } from '../ingest/ingest-service.ts';
import type { SearchRequest } from '../search/search-service.ts';
import type { FieldType } from '../collections/field-types.ts';
import type { Filter } from '../store/filter.ts';
import type { DeleteRequest } from '../store/store-input.ts';

/** Filters have Qdrant's shape and semantics; the store owns the type. */
export type { Condition, Filter } from '../store/filter.ts';

/** A collection's extractor, in the seed's (Mixpeek's) JSON form. */
export interface FeatureExtractorConfig {
  feature_extractor_name: string;
  version: string;
  input_mappings: { image: string };
  field_passthrough: FieldPassthrough[];
  parameters: ExtractorParameters;
}

export interface ExtractorParameters {
  enable_thumbnails: boolean;
  /** The feature's output name; absent: the default (SigLIP base). */
  model?: string;
}

export interface FieldPassthrough {
  source_path: string;
  target_path?: string;
  default?: unknown;
  required?: boolean;
  type?: FieldType;
}

export interface CollectionInfo {
  name: string;
  featureUri: string;
  featureExtractor: FeatureExtractorConfig;
  documentCount: number;
  /** ISO 8601. */
  createdAt: string;
}

export type ModelStatus = 'ABSENT' | 'DOWNLOADING' | 'LOADING' | 'READY' | 'FAILED';

export interface ExtractorDescriptor extends Omit<ReturnType<typeof publicIdentity>, 'model'> {
  /** The feature's model: its checkpoint's name, or what a generated test model is. */
  model: string;
  imageSize: number;
  /** Where the model is in its life on this server, and why it is not ready. */
  status: ModelStatus;
  statusReason: string | null;
  /** JSON Schema of an ingested object's inputs and of each output. */
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
}

export type { IngestItemResult, ItemError } from '../ingest/ingest-service.ts';
export type { IngestJob, IngestJobState } from '../ingest/ingest-jobs.ts';

/** What a hit and a document share: the stored payload. */
export interface DocumentSummary {
  id: string;
  /** Passthrough fields keyed by target path. */
  fields: Record<string, unknown>;
  source: string;
  contentType: string;
  /** From 1; null for a plain image. */
  pageNumber: number | null;
  totalPages: number | null;
  thumbnailUrl: string | null;
  width: number;
  height: number;
}

export interface StoredDocument extends DocumentSummary {
  processingTimeMs: number;
  /** ISO 8601. */
  ingestedAt: string;
  featureUri: string;
  /** Only when asked for. */
  embedding?: number[];
}

export type { SearchAccuracy, SearchQuery, SearchRequest, SingleQuery } from '../search/search-service.ts';

export interface SearchHit extends DocumentSummary {
  /** Cosine similarity; null for a filter-only listing. */
  score: number | null;
  /** SigLIP's match probability, for a text query; null otherwise. */
  probability: number | null;
}

export interface SearchResponse {
  hits: SearchHit[];
  timing: { embeddingMs: number; searchMs: number; totalMs: number };
}

export type Check = { ok: true } | { ok: false; reason: string };

export type ModelCheck = Check & { model?: string };

export interface Readiness {
  /** The default model loaded and warmed; `model` names it, and says when it is a generated test model. */
  model: ModelCheck;
  /** Each other model in use (bound by a collection), by its output name: `model:google_siglip_large_v1`. */
  [otherModel: `model:${string}`]: ModelCheck;
  /** The towers of every loaded model can take work: in process, or the remote inference server and its models (INFERENCE_BACKEND). */
  inference: Check & { backend?: string };
  /** Vector store reachable. */
  store: Check;
  /** Thumbnail storage reachable. */
  blob: Check;
}

export interface Thumbnail {
  data: Buffer;
  contentType: string;
}

/**
 * The services behind the API. A `signal` is the client's request: aborted
 * when the client goes away, so long work can stop.
 */
export interface Services {
  extractors(): readonly ExtractorDescriptor[];

  collections: {
    /** COLLECTION_EXISTS, INVALID_EXTRACTOR_CONFIG. */
    create(name: string, extractor: FeatureExtractorConfig): Promise<CollectionInfo>;
    list(): Promise<CollectionInfo[]>;
    /** null when there is none by that name. */
    get(name: string): Promise<CollectionInfo | null>;
    /** false when there was none by that name. */
    delete(name: string): Promise<boolean>;
  };

  ingest: {
    /** Runs a batch now; one result per object, in order. COLLECTION_NOT_FOUND. */
    run(collection: string, objects: unknown[], request: { signal: AbortSignal; logger: Logger }): Promise<IngestItemResult[]>;
    /** Queues a batch and returns at once. COLLECTION_NOT_FOUND. */
    start(collection: string, objects: unknown[]): Promise<IngestJob>;
    /** JOB_NOT_FOUND. */
    job(id: string): Promise<IngestJob>;
  };

  documents: {
    /** COLLECTION_NOT_FOUND, DOCUMENT_NOT_FOUND. */
    get(collection: string, id: string, options: { withEmbedding: boolean }): Promise<StoredDocument>;
    /** Exactly one of ids or filter; returns how many documents were deleted. */
    /** COLLECTION_NOT_FOUND; UNSCOPED_DELETE unless the target names documents or says `all: true`. */
    delete(collection: string, target: DeleteRequest): Promise<number>;
  };

  /** COLLECTION_NOT_FOUND, DOCUMENT_NOT_FOUND (document query), FEATURE_MISMATCH, INVALID_FILTER, source errors. */
  search(collection: string, request: SearchRequest, signal: AbortSignal): Promise<SearchResponse>;

  /** Each check bounded by its own timeout; never throws. */
  readiness(signal: AbortSignal): Promise<Readiness>;

  /** A locally stored thumbnail by its key; null when absent or thumbnails live in S3. */
  readThumbnail(key: string): Promise<Thumbnail | null>;
}
