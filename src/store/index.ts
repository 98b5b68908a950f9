/**
 * Picks the vector store: Qdrant when a URL is configured, otherwise the
 * embedded store in the data folder.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createEmbeddedStore } from './embedded-store.ts';
import { createQdrantStore } from './qdrant-store.ts';
import type { FeatureBinding, VectorStore } from './vector-store.ts';

export interface VectorStoreOptions {
  /** QDRANT_URL / QDRANT_API_KEY; when absent the embedded store is used. */
  qdrant?: Omit<Config['qdrant'], 'url'> & { url: string };
  /** DATA_DIR: where the embedded store keeps `sightline.db`. */
  dataDir: string;
  expected: FeatureBinding;
  logger: Logger;
}

export function createVectorStore(opts: VectorStoreOptions): VectorStore {
  if (opts.qdrant) {
    opts.logger.info('vector store: qdrant', { url: opts.qdrant.url });
    return createQdrantStore({ ...opts.qdrant, expected: opts.expected, logger: opts.logger });
  }
  opts.logger.info('vector store: embedded', { dataDir: opts.dataDir });
  return createEmbeddedStore({ dataDir: opts.dataDir, expected: opts.expected, logger: opts.logger });
}
