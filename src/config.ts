/**
 * The one place the environment is read. Every option is documented in the
 * README ("Configuration") with its default; start-up fails listing every bad
 * variable at once, so a deploy is fixed in one round.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, SightlineError, unreachable } from './errors.ts';
import { DEFAULT_FEATURE } from './extractor/features/index.ts';
import { MODEL_VARIANTS } from './extractor/features/index.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/**
 * The beam Qdrant searches with unless SEARCH_HNSW_EF or the query says:
 * above Qdrant's own default (its `ef_construct`, 100) for recall.
 */
const QDRANT_DEFAULT_HNSW_EF = 128;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** `*`, or an origin exactly as a browser sends it: scheme, host and port, no path. */
const origin = z.string().refine((v) => v === '*' || URL.canParse(v) && new URL(v).origin === v, {
  message: 'each entry is * or an origin such as https://shop.example.com (scheme, host, optional port; no path)',
});

/** Where the models live unless MODELS_DIR says otherwise: the XDG data directory, one sub-directory per model. */
function defaultModelsDir(env: NodeJS.ProcessEnv): string {
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(dataHome, 'sightline', 'models');
}

/** Past these a query costs about as much as an exact one; ask for `exact` instead. */
export const MAX_HNSW_EF = 4096;
export const MAX_OVERSAMPLING = 16;

/** Read only with INFERENCE_BACKEND=in-process (the default): set with kserve, each is refused. */
const inProcessOnly = {
  EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  CUDA_DEVICE_ID: int(0).default(0),
  INFERENCE_THREADS: int(0, 256).default(0),
};

/** Read only with INFERENCE_BACKEND=kserve: set without it, each is refused rather than silently ignored. */
const kserveOnly = {
  INFERENCE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  INFERENCE_TIMEOUT_MS: int(100, 600_000).default(30_000),
  INFERENCE_RETRIES: int(0, 10).default(2),
  INFERENCE_MAX_IN_FLIGHT: int(1, 256).default(4),
  INFERENCE_MAX_QUEUED: int(0, 100_000).default(64),
};

/** Read only with QDRANT_URL: set without it, each is refused rather than silently ignored. */
const qdrantOnly = {
  QDRANT_API_KEY: optionalString,
  QDRANT_TIMEOUT_MS: int(100).default(10_000),
  QDRANT_LONG_CALL_TIMEOUT_S: int(1, 3600).default(120),
  QDRANT_SHARD_NUMBER: int(1, 1024).optional(),
  QDRANT_REPLICATION_FACTOR: int(1, 16).default(1),
  QDRANT_WRITE_CONSISTENCY_FACTOR: int(1, 16).default(1),
  QDRANT_ON_DISK_VECTORS: bool.default(false),
  QDRANT_ON_DISK_PAYLOAD: bool.default(true),
  QDRANT_HNSW_M: int(4, 128).default(16),
  QDRANT_HNSW_EF_CONSTRUCT: int(4, 4096).default(100),
  QDRANT_QUANTIZATION: z.enum(['none', 'int8']).default('int8'),
  QDRANT_READ_CONSISTENCY: z.union([z.enum(['majority', 'quorum', 'all']), int(1, 16)]).optional(),
  QDRANT_WRITE_ORDERING: z.enum(['weak', 'medium', 'strong']).default('medium'),
};

const schema = z.object({
  PORT: int(0, 65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalString,
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),

  MODEL_DIR: optionalString,
  MODELS_DIR: optionalString,
  MODEL_VARIANT: z.enum(MODEL_VARIANTS).default('fp32'),
  MODEL_DOWNLOAD_URL: z.url().default(DEFAULT_FEATURE.download.baseUrl),
  MODEL_LOGITS_URL: z
    .union([z.literal(''), z.url()])
    .default(DEFAULT_FEATURE.download.logitsUrl),
  MODEL_AUTO_DOWNLOAD: bool.default(true),
  INFERENCE_BATCH_SIZE: int(1, 256).default(16),
  INFERENCE_BATCH_WAIT_MS: int(0, 1000).default(0),
  TEXT_EMBEDDING_CACHE_ENTRIES: int(0, 1_000_000).default(1024),
  INFERENCE_BACKEND: z.enum(['in-process', 'kserve']).default('in-process'),
  ...inProcessOnly,
  ...kserveOnly,

  MAX_IMAGE_PIXELS: int(1).default(100_000_000),
  IMAGE_DECODE_FULL_SIZE: bool.default(false),
  MAX_SOURCE_BYTES: int(1).default(10 * 1024 * 1024),
  PDF_MAX_PAGES: int(1).default(200),
  PDF_RENDER_WORKERS: int(1, 64).default(2),
  PDF_PAGE_TIMEOUT_MS: int(100).default(5000),
  PDF_MAX_PAGE_PIXELS: int(50_176).default(4_000_000),
  PDF_MAX_RENDERED_PAGES: int(1, 1024).default(16),

  FETCH_CONNECT_TIMEOUT_MS: int(1).default(5_000),
  FETCH_TIMEOUT_MS: int(1).default(30_000),
  FETCH_MAX_REDIRECTS: int(0, 20).default(5),
  SIGHTLINE_ALLOW_PRIVATE_URLS: bool.default(false),

  S3_ENDPOINT: optionalString,
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_ALLOWED_BUCKETS: list.default([]),

  THUMBNAIL_STORAGE: z.enum(['local', 's3']).default('local'),
  THUMBNAIL_DIR: optionalString,
  THUMBNAIL_S3_BUCKET: optionalString,
  THUMBNAIL_S3_PREFIX: z.string().default('thumbnails/'),
  THUMBNAIL_CDN_BASE_URL: optionalString,

  QDRANT_URL: optionalString,
  ...qdrantOnly,
  QDRANT_SEARCH_RESCORE: bool.default(true),
  QDRANT_SEARCH_OVERSAMPLING: z.coerce.number().min(1).max(MAX_OVERSAMPLING).default(2),

  SEARCH_EXACT: bool.default(false),
  SEARCH_HNSW_EF: int(1, MAX_HNSW_EF).optional(),

  INGEST_CONCURRENCY: int(1, 256).default(32),
  INGEST_SYNC_MAX_OBJECTS: int(1).default(64),
  INGEST_MAX_JOBS: int(1, 10_000).default(8),
  INGEST_JOB_SHUTDOWN_WAIT_MS: int(0).default(30_000),
  SIGHTLINE_API_KEYS: list.default([]),
  SIGHTLINE_API_KEYS_FILE: optionalString,
  CORS_ALLOWED_ORIGINS: list.pipe(z.array(origin)).default([]),
  GRAPHQL_MAX_DEPTH: int(1, 100).default(12),
  GRAPHQL_MAX_TOKENS: int(100).default(5000),
  GRAPHQL_MAX_ALIASES: int(0).default(15),
  GRAPHQL_MAX_COST: int(1).default(1000),
});

type Env = z.infer<typeof schema>;

/** Qdrant collection settings (applied when a collection is created) and per-call guarantees. */
export interface QdrantSettings {
  /** Unset: Qdrant's default (1 standalone, the number of nodes in a cluster). */
  shardNumber: number | undefined;
  replicationFactor: number;
  writeConsistencyFactor: number;
  onDiskVectors: boolean;
  onDiskPayload: boolean;
  hnswM: number;
  hnswEfConstruct: number;
  /** `int8`: scalar quantization kept in RAM. */
  quantization: 'none' | 'int8';
  readConsistency: number | 'majority' | 'quorum' | 'all';
  writeOrdering: 'weak' | 'medium' | 'strong';
}

/**
 * Which vector store holds the collections: Qdrant when QDRANT_URL is set,
 * otherwise the embedded store in DATA_DIR (README: Stores).
 */
export type StoreConfig =
  | {
      kind: 'embedded';
      /** DATA_DIR: where `sightline.db` lives. */
      dataDir: string;
    }
  | {
      kind: 'qdrant';
      url: string;
      apiKey: string | undefined;
      /** Per call. @default 10000 */
      timeoutMs: number;
      /** Qdrant's server-side `timeout` for index creation and delete by filter; the client waits a little longer. @default 120 */
      longCallTimeoutS: number;
      settings: QdrantSettings;
    };

/** Where thumbnails go (THUMBNAIL_STORAGE); whether a collection makes them is its own `enableThumbnails`. */
export type ThumbnailStorageConfig =
  | {
      kind: 'local';
      /** @default DATA_DIR/thumbnails */
      dir: string;
      /** Where the server serves the folder: PUBLIC_BASE_URL (or http://localhost:PORT) + /thumbnails. */
      publicBaseUrl: string;
      cdnBaseUrl: string | undefined;
    }
  | {
      kind: 's3';
      bucket: string;
      /** @default "thumbnails/" */
      prefix: string;
      cdnBaseUrl: string | undefined;
    };

/** What an API key may do; `admin` includes the others. */
export const API_KEY_SCOPES = ['search', 'ingest', 'metrics', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyGrant {
  key: string;
  scopes: ApiKeyScope[];
  /** The collections the key reaches; null for all of them. */
  collections: string[] | null;
}

/** A plain key (SIGHTLINE_API_KEYS, or a file line with no scopes) keeps the full access keys had before scopes. */
export const adminKey = (key: string): ApiKeyGrant => ({ key, scopes: ['admin'], collections: null });

const scopeList = z.array(z.enum(API_KEY_SCOPES)).min(1);

/**
 * SIGHTLINE_API_KEYS_FILE: one key per line, `<key> [scopes] [collections]`,
 * both lists comma-separated; `#` starts a comment. A file keeps keys out of
 * the process listing and the environment that child processes inherit.
 */
export function parseApiKeyFile(text: string, file: string): { grants: ApiKeyGrant[]; problems: string[] } {
  const grants: ApiKeyGrant[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const [key, scopes, collections, ...extra] = raw.replace(/#.*$/, '').trim().split(/\s+/).filter((w) => w !== '');
    if (key === undefined) return;
    const where = `SIGHTLINE_API_KEYS_FILE: ${file} line ${i + 1}`;
    const parsedScopes = scopeList.safeParse(scopes === undefined ? ['admin'] : scopes.split(',').filter((s) => s !== ''));
    if (!parsedScopes.success) problems.push(`${where}: scopes are a comma-separated list of ${API_KEY_SCOPES.join(', ')}`);
    else if (extra.length > 0) problems.push(`${where}: expected "<key> [scopes] [collections]", found ${extra.length} more words`);
    else if (grants.some((g) => g.key === key)) problems.push(`${where}: the same key is listed twice`);
    else {
      const reached = collections === undefined ? null : collections.split(',').filter((c) => c !== '');
      grants.push({ key, scopes: parsedScopes.data, collections: reached });
    }
  });
  return { grants, problems };
}

/** The keys from SIGHTLINE_API_KEYS (admin) and SIGHTLINE_API_KEYS_FILE. */
function readApiKeys(plainKeys: string[], file: string | undefined): { grants: ApiKeyGrant[]; problems: string[] } {
  const plain = plainKeys.map(adminKey);
  if (file === undefined) return { grants: plain, problems: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { grants: plain, problems: [`SIGHTLINE_API_KEYS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  const fromFile = parseApiKeyFile(text, file);
  const problems = [...fromFile.problems];
  // An empty file would silently switch authentication off.
  if (fromFile.grants.length === 0 && problems.length === 0) problems.push(`SIGHTLINE_API_KEYS_FILE: ${file} holds no key`);
  if (fromFile.grants.some((g) => plainKeys.includes(g.key))) {
    problems.push('SIGHTLINE_API_KEYS_FILE: a key is also in SIGHTLINE_API_KEYS; list it once');
  }
  return { grants: [...plain, ...fromFile.grants], problems };
}

/** What one GraphQL document may ask for (README: API edges). */
export interface GraphqlLimits {
  /** Lexical tokens; the parser stops past it. @default 5000 */
  maxTokens: number;
  /** Selection nesting, introspection not counted. @default 12 */
  maxDepth: number;
  /** Aliased fields per operation: each aliased search is one more inference. @default 15 */
  maxAliases: number;
  /** GraphQL Armor's cost (objects 2, scalars 1, ×1.5 per level). @default 1000 */
  maxCost: number;
}

/**
 * Where the SigLIP towers run (README: Remote inference). Preprocessing and
 * tokenisation stay in Sightline either way, so vectors do not depend on it.
 */
export type InferenceConfig =
  | {
      kind: 'in-process';
      executionProvider: Env['EXECUTION_PROVIDER'];
      cudaDeviceId: number;
      /** 0 lets onnxruntime pick (one per physical core). */
      threads: number;
    }
  | {
      /** A server speaking the KServe v2 inference protocol: Triton, or `sightline inference-server`. */
      kind: 'kserve';
      url: string;
      /** Deadline of one call, retries included. @default 30000 */
      timeoutMs: number;
      /** Further attempts after a transient failure (connection refused or reset, 502/503/504). @default 2 */
      retries: number;
      /** Requests on the wire at once. @default 4 */
      maxInFlight: number;
      /** Requests waiting for a slot; past it a call fails with INFERENCE_QUEUE_FULL. @default 64 */
      maxQueued: number;
    };

export interface Config {
  server: {
    port: number;
    host: string;
    publicBaseUrl: string | undefined;
    apiKeys: ApiKeyGrant[];
    graphql: GraphqlLimits;
    /** Origins whose browsers may call the API (CORS); none when absent. */
    corsAllowedOrigins?: string[];
  };
  /** DATA_DIR: ingest jobs (with either store) and, by default, the embedded store and local thumbnails. */
  dataDir: string;
  /** LOG_LEVEL; unset leaves the level to the entry point (the server logs `info`, the CLI `warn`). */
  logLevel: Env['LOG_LEVEL'] | undefined;
  store: StoreConfig;
  thumbnails: ThumbnailStorageConfig;
  model: {
    /** The default model's directory (MODEL_DIR, else MODELS_DIR/siglip-base-patch16-224). */
    dir: string;
    /** MODELS_DIR: every other model lives in its own sub-directory here, named by the registry (features/). */
    modelsDir: string;
    variant: Env['MODEL_VARIANT'];
    downloadUrl: string;
    /** The full model's safetensors, read for logit_scale/logit_bias at download; undefined: not fetched. */
    logitsUrl: string | undefined;
    autoDownload: boolean;
    batchSize: number;
    batchWaitMs: number;
    /** Recent query texts whose embeddings are kept in memory (about 3 KB each). */
    textCacheEntries: number;
  };
  inference: InferenceConfig;
  limits: { maxImagePixels: number; maxSourceBytes: number; pdfMaxPages: number };
  /** Decode large JPEGs at full size instead of shrinking them on load (README: Image fidelity). @default false */
  imageDecodeFullSize: boolean;
  /** PDF rendering budgets (README: PDFs). */
  pdf: {
    /** Render worker threads. @default 2 */
    workers: number;
    /** One page's (or opening a document's) render time before PDF_RENDER_TIMEOUT. @default 5000 */
    pageTimeoutMs: number;
    /** Larger pages are scaled down to fit. @default 4000000 */
    maxPagePixels: number;
    /** Rendered pages in memory at once, process-wide. @default 16 */
    maxRenderedPages: number;
  };
  fetch: { connectTimeoutMs: number; timeoutMs: number; maxRedirects: number; allowPrivateUrls: boolean };
  s3: {
    endpoint: string | undefined;
    region: string;
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    forcePathStyle: boolean;
    allowedBuckets: string[];
  };
  /** Defaults for a search's accuracy knobs; a query may set each itself. */
  /** hnswEf undefined: the embedded store picks the beam by the collection's size (see embedded-search.ts). */
  search: { exact: boolean; hnswEf: number | undefined; rescore: boolean; oversampling: number };
  ingest: {
    concurrency: number;
    syncMaxObjects: number;
    /** Unfinished (queued or running) jobs per server; more is JOB_QUEUE_FULL. */
    maxJobs: number;
    /** How long shutdown waits for the running job before stopping it (it resumes on the next start). */
    jobShutdownWaitMs: number;
  };
}

/** True when the variable is present and not blank, i.e. the user set it. */
const isSet = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? '').trim() !== '';

/**
 * Variables that are each valid but mean nothing together: refused, since
 * ignoring one would quietly run a different deployment than the one described.
 * Each check parses only the variables it compares, so it runs (and every
 * problem is listed) even when an unrelated variable is bad.
 */
const combinationChecks: Array<(env: NodeJS.ProcessEnv) => string[]> = [
  (env) => {
    const e = schema.pick({ QDRANT_URL: true }).safeParse(env);
    if (!e.success || e.data.QDRANT_URL !== undefined) return [];
    return Object.keys(qdrantOnly)
      .filter((name) => isSet(env, name))
      .map((name) => `${name}: only read with QDRANT_URL; set QDRANT_URL to use Qdrant, or unset ${name}`);
  },
  (env) => {
    const e = schema.pick({ THUMBNAIL_STORAGE: true, THUMBNAIL_S3_BUCKET: true }).safeParse(env);
    if (!e.success) return [];
    if (e.data.THUMBNAIL_STORAGE === 'local') {
      return ['THUMBNAIL_S3_BUCKET', 'THUMBNAIL_S3_PREFIX']
        .filter((name) => isSet(env, name))
        .map((name) => `${name}: only read with THUMBNAIL_STORAGE=s3; set THUMBNAIL_STORAGE=s3, or unset ${name}`);
    }
    return [
      ...(e.data.THUMBNAIL_S3_BUCKET === undefined ? ['THUMBNAIL_S3_BUCKET: required when THUMBNAIL_STORAGE=s3'] : []),
      ...(isSet(env, 'THUMBNAIL_DIR') ? ['THUMBNAIL_DIR: only read with THUMBNAIL_STORAGE=local; unset it'] : []),
    ];
  },
  (env) => {
    const e = schema.pick({ INFERENCE_BACKEND: true, INFERENCE_URL: true }).safeParse(env);
    if (!e.success) return [];
    if (e.data.INFERENCE_BACKEND === 'in-process') {
      return Object.keys(kserveOnly)
        .filter((name) => isSet(env, name))
        .map((name) => `${name}: only read with INFERENCE_BACKEND=kserve; set INFERENCE_BACKEND=kserve to use a remote inference server, or unset ${name}`);
    }
    return [
      ...(e.data.INFERENCE_URL === undefined ? ['INFERENCE_URL: required when INFERENCE_BACKEND=kserve (the inference server, e.g. http://gpu-host:8000)'] : []),
      ...Object.keys(inProcessOnly)
        .filter((name) => isSet(env, name))
        .map((name) => `${name}: only read with INFERENCE_BACKEND=in-process (on the inference host, \`sightline inference-server\` reads it); unset it`),
    ];
  },
  (env) => {
    const e = schema.pick({ PDF_MAX_PAGE_PIXELS: true, MAX_IMAGE_PIXELS: true }).safeParse(env);
    return e.success && e.data.PDF_MAX_PAGE_PIXELS > e.data.MAX_IMAGE_PIXELS
      ? ['PDF_MAX_PAGE_PIXELS: may not exceed MAX_IMAGE_PIXELS, or every scaled page would still be refused']
      : [];
  },
];

function storeConfig(e: Env, dataDir: string): StoreConfig {
  if (e.QDRANT_URL === undefined) return { kind: 'embedded', dataDir };
  return {
    kind: 'qdrant',
    url: e.QDRANT_URL,
    apiKey: e.QDRANT_API_KEY,
    timeoutMs: e.QDRANT_TIMEOUT_MS,
    longCallTimeoutS: e.QDRANT_LONG_CALL_TIMEOUT_S,
    settings: {
      shardNumber: e.QDRANT_SHARD_NUMBER,
      replicationFactor: e.QDRANT_REPLICATION_FACTOR,
      writeConsistencyFactor: e.QDRANT_WRITE_CONSISTENCY_FACTOR,
      onDiskVectors: e.QDRANT_ON_DISK_VECTORS,
      onDiskPayload: e.QDRANT_ON_DISK_PAYLOAD,
      hnswM: e.QDRANT_HNSW_M,
      hnswEfConstruct: e.QDRANT_HNSW_EF_CONSTRUCT,
      quantization: e.QDRANT_QUANTIZATION,
      // With replicas, a read must reach a majority to see a write acknowledged by a majority.
      readConsistency: e.QDRANT_READ_CONSISTENCY ?? (e.QDRANT_REPLICATION_FACTOR > 1 ? 'majority' : 1),
      writeOrdering: e.QDRANT_WRITE_ORDERING,
    },
  };
}

function thumbnailStorageConfig(e: Env, dataDir: string): ThumbnailStorageConfig {
  const cdnBaseUrl = e.THUMBNAIL_CDN_BASE_URL;
  // A combination check has refused s3 without a bucket.
  if (e.THUMBNAIL_STORAGE === 's3' && e.THUMBNAIL_S3_BUCKET !== undefined) {
    return { kind: 's3', bucket: e.THUMBNAIL_S3_BUCKET, prefix: e.THUMBNAIL_S3_PREFIX, cdnBaseUrl };
  }
  const publicBase = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    kind: 'local',
    dir: path.resolve(e.THUMBNAIL_DIR ?? path.join(dataDir, 'thumbnails')),
    publicBaseUrl: `${publicBase}/thumbnails`,
    cdnBaseUrl,
  };
}

function inferenceConfig(e: Env): InferenceConfig {
  switch (e.INFERENCE_BACKEND) {
    case 'in-process':
      return { kind: 'in-process', executionProvider: e.EXECUTION_PROVIDER, cudaDeviceId: e.CUDA_DEVICE_ID, threads: e.INFERENCE_THREADS };
    case 'kserve':
      return {
        kind: 'kserve',
        // A combination check has refused kserve without a URL.
        url: e.INFERENCE_URL as string,
        timeoutMs: e.INFERENCE_TIMEOUT_MS,
        retries: e.INFERENCE_RETRIES,
        maxInFlight: e.INFERENCE_MAX_IN_FLIGHT,
        maxQueued: e.INFERENCE_MAX_QUEUED,
      };
    default:
      return unreachable(e.INFERENCE_BACKEND);
  }
}

/** Parses the environment; throws CONFIG_INVALID naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Read even when other variables are bad, so one round fixes every problem.
  const apiKeys = readApiKeys(parsed.data?.SIGHTLINE_API_KEYS ?? [], optionalString.parse(env.SIGHTLINE_API_KEYS_FILE));
  problems.push(...apiKeys.problems);
  for (const check of combinationChecks) problems.push(...check(env));
  if (!parsed.success || problems.length > 0) {
    throw new SightlineError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const modelsDir = path.resolve(e.MODELS_DIR ?? defaultModelsDir(env));
  return {
    server: {
      port: e.PORT,
      host: e.HOST,
      publicBaseUrl: e.PUBLIC_BASE_URL,
      apiKeys: apiKeys.grants,
      corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS,
      graphql: {
        maxTokens: e.GRAPHQL_MAX_TOKENS,
        maxDepth: e.GRAPHQL_MAX_DEPTH,
        maxAliases: e.GRAPHQL_MAX_ALIASES,
        maxCost: e.GRAPHQL_MAX_COST,
      },
    },
    dataDir,
    logLevel: e.LOG_LEVEL,
    store: storeConfig(e, dataDir),
    thumbnails: thumbnailStorageConfig(e, dataDir),
    model: {
      dir: path.resolve(e.MODEL_DIR ?? path.join(modelsDir, DEFAULT_FEATURE.dirName)),
      modelsDir,
      variant: e.MODEL_VARIANT,
      downloadUrl: e.MODEL_DOWNLOAD_URL,
      logitsUrl: e.MODEL_LOGITS_URL === '' ? undefined : e.MODEL_LOGITS_URL,
      autoDownload: e.MODEL_AUTO_DOWNLOAD,
      batchSize: e.INFERENCE_BATCH_SIZE,
      batchWaitMs: e.INFERENCE_BATCH_WAIT_MS,
      textCacheEntries: e.TEXT_EMBEDDING_CACHE_ENTRIES,
    },
    inference: inferenceConfig(e),
    limits: { maxImagePixels: e.MAX_IMAGE_PIXELS, maxSourceBytes: e.MAX_SOURCE_BYTES, pdfMaxPages: e.PDF_MAX_PAGES },
    imageDecodeFullSize: e.IMAGE_DECODE_FULL_SIZE,
    pdf: {
      workers: e.PDF_RENDER_WORKERS,
      pageTimeoutMs: e.PDF_PAGE_TIMEOUT_MS,
      maxPagePixels: e.PDF_MAX_PAGE_PIXELS,
      maxRenderedPages: e.PDF_MAX_RENDERED_PAGES,
    },
    fetch: {
      connectTimeoutMs: e.FETCH_CONNECT_TIMEOUT_MS,
      timeoutMs: e.FETCH_TIMEOUT_MS,
      maxRedirects: e.FETCH_MAX_REDIRECTS,
      allowPrivateUrls: e.SIGHTLINE_ALLOW_PRIVATE_URLS,
    },
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      allowedBuckets: e.S3_ALLOWED_BUCKETS,
    },
    search: {
      exact: e.SEARCH_EXACT,
      hnswEf: e.SEARCH_HNSW_EF ?? (e.QDRANT_URL === undefined ? undefined : QDRANT_DEFAULT_HNSW_EF),
      rescore: e.QDRANT_SEARCH_RESCORE,
      oversampling: e.QDRANT_SEARCH_OVERSAMPLING,
    },
    ingest: {
      concurrency: e.INGEST_CONCURRENCY,
      syncMaxObjects: e.INGEST_SYNC_MAX_OBJECTS,
      maxJobs: e.INGEST_MAX_JOBS,
      jobShutdownWaitMs: e.INGEST_JOB_SHUTDOWN_WAIT_MS,
    },
  };
}
