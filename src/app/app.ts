/**
 * The composition root: configuration → adapters (store, object storage,
 * sources, model) → services. The HTTP server and the CLI both start here.
 */
import type { BlobStore } from '../blob/blob-store.ts';
import { createCollectionService, type CollectionService } from '../collections/collection-service.ts';
import { DEFAULT_FEATURE, FEATURES } from '../extractor/features/index.ts';
import type { Config } from '../config.ts';
import type { ModelLifecycle } from '../extractor/model-lifecycle.ts';
import { createModelSet, type ModelSet } from '../extractor/model-set.ts';
import { createIngestJobs, type IngestJobs } from '../ingest/ingest-jobs.ts';
import { createIngestService, type IngestService } from '../ingest/ingest-service.ts';
import { openJobRecords } from '../ingest/job-records.ts';
import { createRemoval, type Removal } from '../ingest/removal.ts';
import { createImageDecoder, createMedia, createPdfRenderer, type PdfRenderer } from '../media/index.ts';
import { createSourceFetcher, type SourceFetcher } from '../sources/index.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { createSearchService, type SearchService } from '../search/search-service.ts';
import { featureBinding, type VectorStore } from '../store/vector-store.ts';
import { createInference, createStore, createThumbnailStorage, lazyS3Client } from './adapters.ts';

export interface App {
  config: Config;
  logger: Logger;
  store: VectorStore;
  thumbnails: BlobStore;
  fetcher: SourceFetcher;
  pdf: PdfRenderer;
  /** One model per feature (features/), each with its own lifecycle and readiness. */
  models: ModelSet;
  /** The default feature's model (SigLIP base): what the server cannot start without. */
  model: ModelLifecycle;
  collections: CollectionService;
  ingest: IngestService;
  /** Prometheus instruments, served at /metrics. */
  metrics: Metrics;
  jobs: IngestJobs;
  /** Deleting documents and collections, thumbnails included. */
  removal: Removal;
  search: SearchService;
  /**
   * Loads every collection once, so the first search does not pay for it (the
   * embedded store reads a collection's vectors into memory on first use).
   */
  warmStore(): Promise<void>;
  /**
   * Loads the default model (its failure rejects: the server cannot serve without it), then the models the
   * collections are bound to (a failure there is that model's state: its collections answer MODEL_NOT_READY).
   */
  startModels(): Promise<void>;
  /**
   * Stops the jobs (the running one gets INGEST_JOB_SHUTDOWN_WAIT_MS to finish;
   * unfinished ones resume on the next start), then releases the model and the store.
   */
  close(): Promise<void>;
}

/** `cli`: a command, where a person waits; a remote inference server that is down fails it at once. */
export function createApp(config: Config, logger: Logger, opts: { cli?: boolean } = {}): App {
  const store = createStore(config.store, FEATURES.map(featureBinding), logger.child({ component: 'store' }));
  const s3 = lazyS3Client(config);
  const thumbnails = createThumbnailStorage(config.thumbnails, s3, config.fetch.timeoutMs);
  const fetcher = createSourceFetcher({
    fetch: config.fetch,
    maxBytes: config.limits.maxSourceBytes,
    allowedBuckets: config.s3.allowedBuckets,
    s3Client: s3,
    logger: logger.child({ component: 'sources' }),
  });
  const metrics = createMetrics();
  const models = createModelSet({
    model: config.model,
    inference: createInference(config.inference, logger.child({ component: 'inference' }), { waitForServer: !opts.cli }),
    logger: logger.child({ component: 'model' }),
    metrics,
  });
  const pdf = createPdfRenderer({ ...config.pdf, maxPages: config.limits.pdfMaxPages });
  const media = createMedia({ pdf, decoder: createImageDecoder({ maxPixels: config.limits.maxImagePixels, fullSize: config.imageDecodeFullSize, metrics }) });
  // A collection bound to a model not loaded yet starts it: its first ingest should not wait for a restart.
  const collections = createCollectionService(store, {
    logger: logger.child({ component: 'collections' }),
    // A model loading from disk is ready in seconds: waiting for it means a collection can be ingested into as soon
    // as createCollection answers. A download takes minutes: creation answers at once, and the collection's
    // requests say MODEL_NOT_READY (with the download's progress in /readyz) until the model is in.
    onCreate: async (feature) => {
      const starting = models.start(feature).catch(() => undefined);
      if (models.get(feature).state().phase === 'loading') await starting;
    },
  });
  const ingest = createIngestService({
    collections,
    store,
    extractor: models.extractor,
    fetcher,
    thumbnails,
    media,
    concurrency: config.ingest.concurrency,
    logger: logger.child({ component: 'ingest' }),
    metrics,
  });
  const jobs = createIngestJobs(ingest, {
    records: () => openJobRecords(config.dataDir),
    maxJobs: config.ingest.maxJobs,
    shutdownWaitMs: config.ingest.jobShutdownWaitMs,
    logger: logger.child({ component: 'jobs' }),
  });
  metrics.trackJobQueue(() => jobs.depth());
  const search = createSearchService({
    store,
    collections,
    extractor: models.extractor,
    fetcher,
    media,
    limits: config.limits,
    accuracy: config.search,
    metrics,
  });
  return {
    config,
    logger,
    store,
    thumbnails,
    fetcher,
    pdf,
    models,
    model: models.get(DEFAULT_FEATURE),
    collections,
    ingest,
    jobs,
    removal: createRemoval({ store, thumbnails }),
    search,
    metrics,
    async warmStore() {
      const started = Date.now();
      const collections = await store.listCollections();
      for (const c of collections) await store.count(c.name);
      logger.info('store warmed', { collections: collections.length, ms: Date.now() - started });
    },
    async startModels() {
      await models.start(DEFAULT_FEATURE);
      const bound = new Set((await collections.list()).map((c) => c.model));
      const others = [...bound].filter((f) => f !== DEFAULT_FEATURE);
      const results = await Promise.allSettled(others.map((f) => models.start(f)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') logger.error('a model its collections use could not be loaded', { feature: others[i]!.featureUri, err: r.reason });
      });
    },
    async close() {
      await jobs.close();
      await models.close();
      await pdf.close();
      await store.close();
    },
  };
}
