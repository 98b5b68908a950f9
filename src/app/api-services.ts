/** The services the GraphQL API declares (src/api/services.ts), implemented over the app. */
import type {
  ModelCheck,
  ModelStatus,
  CollectionInfo,
  DocumentSummary,
  ExtractorDescriptor,
  Readiness,
  Check,
  SearchRequest as ApiSearchRequest,
  Services,
  StoredDocument,
} from '../api/services.ts';
import { documentFieldsSchema, SYSTEM_FIELDS, type DocumentFields } from '../collections/document-fields.ts';
import { serialiseExtractorConfig } from '../collections/extractor-config.ts';
import type { Collection } from '../collections/collection-service.ts';
import { ErrorCode, SightlineError, toSightlineError } from '../errors.ts';
import { DEFAULT_FEATURE, FEATURES, publicIdentity, type FeatureDescriptor } from '../extractor/features/index.ts';
import type { ModelLifecycle, ModelState } from '../extractor/model-lifecycle.ts';
import { deleteSelector } from '../store/store-input.ts';
import { checkStored } from '../store/stored-data.ts';
import type { StoredPoint } from '../store/vector-store.ts';
import type { App } from './app.ts';

const READINESS_TIMEOUT_MS = 3000;

/** Why a model is not ready, in words; null when it is. */
function notReadyReason(state: ModelState): string | null {
  switch (state.phase) {
    case 'ready':
      return null;
    case 'failed':
      return state.error.message;
    case 'downloading':
      return `downloading (${state.receivedBytes} of ${state.totalBytes ?? '?'} bytes)`;
    case 'absent':
      return 'not loaded: no collection uses it yet';
    case 'loading':
      return 'loading';
  }
}

/** One model's readiness check: ready and named, or why not. */
function modelCheck(lifecycle: ModelLifecycle): ModelCheck {
  const state = lifecycle.state();
  if (state.phase === 'ready') return { ok: true, model: lifecycle.description() };
  return { ok: false, reason: state.phase === 'failed' ? state.error.message : `model ${state.phase}` };
}

/** A feature as the `extractors` query shows it, with its model's name and state on this server. */
export const extractorDescriptor = (feature: FeatureDescriptor, lifecycle: ModelLifecycle): ExtractorDescriptor => ({
  ...publicIdentity(feature),
  // A generated test model must not pass for SigLIP: its embeddings are random.
  model: lifecycle.description(),
  imageSize: feature.imageSize,
  status: lifecycle.state().phase.toUpperCase() as ModelStatus,
  statusReason: notReadyReason(lifecycle.state()),
  inputSchema: {
    type: 'object',
    required: ['image'],
    properties: {
      image: {
        type: 'string',
        description:
          'http(s) URL, s3://bucket/key, data: URI, plain base64 or {"base64": ...}: JPEG, PNG, WebP, BMP, GIF (first frame), TIFF, AVIF or PDF (one document per page)',
      },
    },
  },
  outputSchema: {
    type: 'object',
    properties: {
      [feature.indexName]: {
        type: 'array',
        items: { type: 'number' },
        minItems: feature.dimensions,
        maxItems: feature.dimensions,
        description: 'SigLIP image embedding, L2-normalised',
      },
      processing_time_ms: { type: 'number' },
      thumbnail_url: { type: ['string', 'null'] },
    },
  },
});

function collectionInfo(c: Collection): CollectionInfo {
  return {
    name: c.name,
    featureUri: c.feature.featureUri,
    featureExtractor: serialiseExtractorConfig(c.extractor),
    documentCount: c.documentCount,
    createdAt: c.createdAt,
  };
}

const SYSTEM = new Set<string>(SYSTEM_FIELDS);

/** The fields ingest wrote on a stored document, checked: a document Sightline did not write is STORE_DATA_INVALID. */
function documentFields(collection: string, point: StoredPoint): DocumentFields {
  return checkStored(documentFieldsSchema, point.payload, { collection, what: `the fields of document ${point.id}` });
}

function summary(point: StoredPoint, d: DocumentFields): DocumentSummary {
  return {
    id: point.id,
    fields: Object.fromEntries(Object.entries(point.payload).filter(([k]) => !SYSTEM.has(k))),
    source: d.source,
    contentType: d.content_type,
    pageNumber: d.page_number,
    totalPages: d.total_pages,
    thumbnailUrl: d.thumbnail_url,
    width: d.width,
    height: d.height,
  };
}

/**
 * A remote inference server can go away after a model loaded: each loaded
 * model's towers answer for themselves (a model still loading is its own
 * check's to report).
 */
async function inferenceCheck(lifecycles: ModelLifecycle[], signal: AbortSignal): Promise<Readiness['inference']> {
  const loaded = lifecycles.flatMap((l) => {
    const state = l.state();
    return state.phase === 'ready' ? [state.extractor] : [];
  });
  if (loaded.length === 0) return { ok: false, reason: 'no model loaded yet' };
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(READINESS_TIMEOUT_MS)]);
  const checks = await Promise.all(loaded.map(async (e) => ({ name: e.descriptor.outputName, check: await e.inferenceReady(deadline) })));
  const failed = checks.find((c) => !c.check.ok);
  const backend = loaded[0]?.inferenceBackend;
  if (failed && !failed.check.ok) return { ok: false, reason: `${failed.name}: ${failed.check.reason}`, backend };
  return { ok: true, backend };
}

async function check(signal: AbortSignal, probe: () => Promise<void>): Promise<Check> {
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(READINESS_TIMEOUT_MS)]);
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => timeout.addEventListener('abort', () => reject(new Error('timed out')), { once: true })),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: toSightlineError(err).message };
  }
}

export function createApiServices(app: App): Services {
  const requireCollection = (name: string) => app.collections.require(name);
  return {
    extractors: () => FEATURES.map((f) => extractorDescriptor(f, app.models.get(f))),
    collections: {
      create: async (name, extractor) => collectionInfo(await app.collections.create(name, extractor)),
      list: async () => (await app.collections.list()).map(collectionInfo),
      get: async (name) => {
        const c = await app.collections.get(name);
        return c ? collectionInfo(c) : null;
      },
      delete: (name) => app.removal.collection(name),
    },
    ingest: {
      run: (collection, objects, { signal, logger }) => app.ingest.ingest(collection, objects, { signal, logger }),
      start: async (collection, objects) => {
        await requireCollection(collection);
        return app.jobs.start(collection, objects);
      },
      job: async (id) => app.jobs.get(id),
    },
    documents: {
      async get(collection, id, { withEmbedding }) {
        const c = await requireCollection(collection);
        const [point] = await app.store.get(collection, [id], { withVector: withEmbedding });
        if (!point) throw new SightlineError(ErrorCode.DOCUMENT_NOT_FOUND, `no document "${id}" in collection "${collection}"`, { collection, id });
        const d = documentFields(collection, point);
        const doc: StoredDocument = {
          ...summary(point, d),
          processingTimeMs: d.processing_time_ms,
          ingestedAt: d.ingested_at,
          featureUri: c.feature.featureUri,
        };
        if (withEmbedding && point.vector) doc.embedding = Array.from(point.vector);
        return doc;
      },
      async delete(collection, target) {
        const selector = deleteSelector(target);
        if ('filter' in selector) await app.collections.checkFilter(collection, selector.filter);
        else await requireCollection(collection);
        return app.removal.documents(collection, selector);
      },
    },
    async search(collection, request: ApiSearchRequest, signal) {
      const outcome = await app.search.search(collection, request, signal);
      return {
        hits: outcome.points.map((p) => ({ ...summary(p, documentFields(collection, p)), score: p.score, probability: p.probability })),
        timing: outcome.timing,
      };
    },
    async readiness(signal): Promise<Readiness> {
      // The default model, as before; then each other model a collection uses, under its own key.
      const others = app.models.started().filter((f) => f !== DEFAULT_FEATURE);
      const models = Object.fromEntries(others.map((f) => [`model:${f.outputName}`, modelCheck(app.models.get(f))]));
      const [inference, store, blob] = await Promise.all([
        inferenceCheck([app.model, ...others.map((f) => app.models.get(f))], signal),
        check(signal, () => app.store.ping()),
        check(signal, () => app.thumbnails.ping()),
      ]);
      return { model: modelCheck(app.model), ...models, inference, store, blob };
    },
    async readThumbnail(key) {
      // With S3 storage thumbnail URLs point at the bucket or a CDN: the route
      // serves only the local folder, never whatever else the bucket holds.
      if (app.config.thumbnails.kind !== 'local') return null;
      try {
        return await app.thumbnails.get(key);
      } catch (err) {
        // A key no blob can have (`..`, an empty segment) names no thumbnail.
        if (toSightlineError(err).code === ErrorCode.BAD_USER_INPUT) return null;
        throw err;
      }
    },
  };
}
