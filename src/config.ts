/**
 * The one place the environment is read. Every option is documented in the
 * README ("Configuration") with its default; start-up fails listing every bad
 * variable at once, so a deploy is fixed in one round.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, SightlineError } from './errors.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
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

/** Where the model lives unless MODEL_DIR says otherwise: the XDG data directory. */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(dataHome, 'sightline', 'models', 'siglip-base-patch16-224');
}

const schema = z.object({
  PORT: int(0, 65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalString,
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),

  MODEL_DIR: optionalString,
  MODEL_VARIANT: z.enum(['fp32', 'fp16', 'quantized']).default('fp32'),
  MODEL_DOWNLOAD_URL: z.url().default('https://huggingface.co/Xenova/siglip-base-patch16-224/resolve/main'),
  MODEL_AUTO_DOWNLOAD: bool.default(true),
  EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  CUDA_DEVICE_ID: int(0).default(0),
  INFERENCE_BATCH_SIZE: int(1, 256).default(16),
  INFERENCE_BATCH_WAIT_MS: int(0, 1000).default(5),
  INFERENCE_THREADS: int(0, 256).default(0),

  MAX_IMAGE_PIXELS: int(1).default(100_000_000),
  MAX_SOURCE_BYTES: int(1).default(10 * 1024 * 1024),
  PDF_MAX_PAGES: int(1).default(200),

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
  QDRANT_API_KEY: optionalString,

  INGEST_CONCURRENCY: int(1, 256).default(32),
  INGEST_SYNC_MAX_OBJECTS: int(1).default(64),
  SIGHTLINE_API_KEYS: list.default([]),
  GRAPHQL_MAX_DEPTH: int(1, 100).default(12),
});

type Env = z.infer<typeof schema>;

export interface Config {
  server: { port: number; host: string; publicBaseUrl: string | undefined; apiKeys: string[]; maxQueryDepth: number };
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  model: {
    dir: string;
    variant: Env['MODEL_VARIANT'];
    downloadUrl: string;
    autoDownload: boolean;
    executionProvider: Env['EXECUTION_PROVIDER'];
    cudaDeviceId: number;
    batchSize: number;
    batchWaitMs: number;
    /** 0 lets onnxruntime pick (one per physical core). */
    threads: number;
  };
  limits: { maxImagePixels: number; maxSourceBytes: number; pdfMaxPages: number };
  fetch: { connectTimeoutMs: number; timeoutMs: number; maxRedirects: number; allowPrivateUrls: boolean };
  s3: {
    endpoint: string | undefined;
    region: string;
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    forcePathStyle: boolean;
    allowedBuckets: string[];
  };
  thumbnails: {
    storage: Env['THUMBNAIL_STORAGE'];
    dir: string;
    s3Bucket: string | undefined;
    s3Prefix: string;
    cdnBaseUrl: string | undefined;
  };
  qdrant: { url: string | undefined; apiKey: string | undefined };
  ingest: { concurrency: number; syncMaxObjects: number };
}

/** Parses the environment; throws CONFIG_INVALID naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SightlineError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const cross: string[] = [];
  if (e.THUMBNAIL_STORAGE === 's3' && !e.THUMBNAIL_S3_BUCKET) {
    cross.push('THUMBNAIL_S3_BUCKET: required when THUMBNAIL_STORAGE=s3');
  }
  if (cross.length > 0) {
    throw new SightlineError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n  ${cross.join('\n  ')}`);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    server: {
      port: e.PORT,
      host: e.HOST,
      publicBaseUrl: e.PUBLIC_BASE_URL,
      apiKeys: e.SIGHTLINE_API_KEYS,
      maxQueryDepth: e.GRAPHQL_MAX_DEPTH,
    },
    dataDir,
    logLevel: e.LOG_LEVEL,
    model: {
      dir: path.resolve(e.MODEL_DIR ?? defaultModelDir(env)),
      variant: e.MODEL_VARIANT,
      downloadUrl: e.MODEL_DOWNLOAD_URL,
      autoDownload: e.MODEL_AUTO_DOWNLOAD,
      executionProvider: e.EXECUTION_PROVIDER,
      cudaDeviceId: e.CUDA_DEVICE_ID,
      batchSize: e.INFERENCE_BATCH_SIZE,
      batchWaitMs: e.INFERENCE_BATCH_WAIT_MS,
      threads: e.INFERENCE_THREADS,
    },
    limits: { maxImagePixels: e.MAX_IMAGE_PIXELS, maxSourceBytes: e.MAX_SOURCE_BYTES, pdfMaxPages: e.PDF_MAX_PAGES },
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
    thumbnails: {
      storage: e.THUMBNAIL_STORAGE,
      dir: path.resolve(e.THUMBNAIL_DIR ?? path.join(dataDir, 'thumbnails')),
      s3Bucket: e.THUMBNAIL_S3_BUCKET,
      s3Prefix: e.THUMBNAIL_S3_PREFIX,
      cdnBaseUrl: e.THUMBNAIL_CDN_BASE_URL,
    },
    qdrant: { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY },
    ingest: { concurrency: e.INGEST_CONCURRENCY, syncMaxObjects: e.INGEST_SYNC_MAX_OBJECTS },
  };
}
