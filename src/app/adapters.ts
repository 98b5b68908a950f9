/**
 * The adapters that configuration chooses between, one factory per union in
 * src/config.ts. Each switch is exhaustive, so a new variant does not compile
 * until it is wired here.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../blob/blob-store.ts';
import { createLocalBlobStore } from '../blob/local-blob-store.ts';
import { createS3BlobStore } from '../blob/s3-blob-store.ts';
import { createS3Client } from '../blob/s3-client.ts';
import type { Config, InferenceConfig, StoreConfig, ThumbnailStorageConfig } from '../config.ts';
import { unreachable } from '../errors.ts';
import { inProcessInference } from '../extractor/inference/in-process.ts';
import type { InferenceProvider } from '../extractor/inference/inference-port.ts';
import { kserveInference } from '../extractor/inference/kserve-backend.ts';
import type { Logger } from '../logger.ts';
import { createEmbeddedStore } from '../store/embedded-store.ts';
import { createQdrantStore } from '../store/qdrant-store.ts';
import type { FeatureBinding, VectorStore } from '../store/vector-store.ts';

/** `features`: the bindings this server offers (the registry's); the store refuses collections bound to others. */
export function createStore(config: StoreConfig, features: readonly FeatureBinding[], logger: Logger): VectorStore {
  switch (config.kind) {
    case 'embedded':
      logger.info('vector store: embedded', { dataDir: config.dataDir });
      return createEmbeddedStore({ dataDir: config.dataDir, features, logger });
    case 'qdrant': {
      const { kind: _, ...qdrant } = config;
      logger.info('vector store: qdrant', { url: qdrant.url });
      return createQdrantStore({ ...qdrant, features, logger });
    }
    default:
      return unreachable(config);
  }
}

/**
 * The one S3 client of the process, shared by s3:// sources and S3 thumbnails.
 * Built on first use: most deployments never touch S3, and constructing the
 * SDK client has a start-up cost (and prints SDK notices).
 */
export function lazyS3Client(config: Pick<Config, 's3' | 'fetch'>): () => S3Client {
  let client: S3Client | undefined;
  const timeouts = { connectTimeoutMs: config.fetch.connectTimeoutMs, requestTimeoutMs: config.fetch.timeoutMs };
  return () => (client ??= createS3Client(config.s3, timeouts));
}

export function createThumbnailStorage(config: ThumbnailStorageConfig, s3: () => S3Client, timeoutMs: number): BlobStore {
  switch (config.kind) {
    case 'local':
      return createLocalBlobStore({ dir: config.dir, publicBaseUrl: config.publicBaseUrl, cdnBaseUrl: config.cdnBaseUrl });
    case 's3':
      return createS3BlobStore({ client: s3(), bucket: config.bucket, prefix: config.prefix, cdnBaseUrl: config.cdnBaseUrl, timeoutMs });
    default:
      return unreachable(config);
  }
}

/**
 * Where SigLIP's towers run. `waitForServer`: a long-running server waits for
 * a remote inference server that is not up yet; a CLI command fails at once.
 */
export function createInference(config: InferenceConfig, logger: Logger, opts: { waitForServer: boolean }): InferenceProvider {
  switch (config.kind) {
    case 'in-process': {
      const { kind: _, ...session } = config;
      logger.info('inference: in process', { executionProvider: session.executionProvider });
      return inProcessInference({ session });
    }
    case 'kserve': {
      const { kind: _, ...client } = config;
      logger.info('inference: KServe v2 server', { url: client.url });
      return kserveInference({ ...client, logger, waitForServer: opts.waitForServer });
    }
    default:
      return unreachable(config);
  }
}
