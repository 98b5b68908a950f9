/**
 * A stand-in for the real services, for tests of the API surface only (error
 * codes, auth, health, HTTP plumbing, the playground UI). It records what the
 * resolvers pass down and answers with fixed values; it is not the product.
 */
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { DEFAULT_FEATURE, publicIdentity } from '../../src/extractor/features/index.ts';
import type { CollectionInfo, Readiness, SearchRequest, SearchResponse, Services } from '../../src/api/services.ts';
import { deleteSelector } from '../../src/store/store-input.ts';

export const STUB_COLLECTION: CollectionInfo = {
  name: 'products',
  featureUri: DEFAULT_FEATURE.featureUri,
  documentCount: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  featureExtractor: {
    feature_extractor_name: 'image_extractor',
    version: 'v1',
    input_mappings: { image: 'product_image' },
    field_passthrough: [{ source_path: 'metadata.sku' }, { source_path: 'metadata.brand', target_path: 'brand', default: 'unknown' }],
    parameters: { enable_thumbnails: true },
  },
};

export const STUB_HIT: SearchResponse = {
  hits: [
    {
      id: 'stub-hit-ember-trail-runner',
      score: 0.875,
      probability: 0.6,
      fields: { sku: 'SL-001', name: 'Ember Trail Runner' },
      source: 'upload',
      contentType: 'image/png',
      pageNumber: null,
      totalPages: null,
      thumbnailUrl: null,
      width: 512,
      height: 512,
    },
  ],
  timing: { embeddingMs: 1, searchMs: 2, totalMs: 3 },
};

export interface StubServices extends Services {
  /** Every search request the resolvers built. */
  searches: SearchRequest[];
  /** Overrides for the readiness answer. */
  readinessAnswer: Readiness;
  /** When set, search awaits it first (to hold a request in flight). */
  searchGate: Promise<void> | null;
}

export function createStubServices(): StubServices {
  const stub: StubServices = {
    searches: [],
    readinessAnswer: { model: { ok: true }, inference: { ok: true }, store: { ok: true }, blob: { ok: true } },
    searchGate: null,
    extractors: () => [{ ...publicIdentity(DEFAULT_FEATURE), imageSize: DEFAULT_FEATURE.imageSize, status: 'READY', statusReason: null, inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }],
    collections: {
      create: async (name) => {
        if (name === STUB_COLLECTION.name) throw new SightlineError(ErrorCode.COLLECTION_EXISTS, `collection "${name}" exists`, { name });
        return { ...STUB_COLLECTION, name };
      },
      list: async () => [STUB_COLLECTION],
      get: async (name) => (name === STUB_COLLECTION.name ? STUB_COLLECTION : null),
      delete: async (name) => name === STUB_COLLECTION.name,
    },
    ingest: {
      run: async (_collection, objects) =>
        objects.map((o, index) =>
          (o as { bad?: boolean }).bad
            ? { index, status: 'failed' as const, documentIds: [] as [], error: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: 'not an image' } }
            : { index, status: 'stored' as const, documentIds: [`doc-${index}`] },
        ),
      start: async (collection, objects) => ({
        id: 'job-1',
        collection,
        state: 'queued',
        total: objects.length,
        done: 0,
        failed: 0,
        results: null,
        error: null,
      }),
      job: async (id) => {
        if (id === 'job-1') return { id, collection: STUB_COLLECTION.name, state: 'running', total: 3, done: 1, failed: 0, results: null, error: null };
        throw new SightlineError(ErrorCode.JOB_NOT_FOUND, `no job "${id}"`, { id });
      },
    },
    documents: {
      get: async (collection, id) => {
        throw new SightlineError(ErrorCode.DOCUMENT_NOT_FOUND, `no document "${id}" in "${collection}"`, { collection, id });
      },
      delete: async (_collection, target) => {
        const selector = deleteSelector(target);
        return 'ids' in selector ? selector.ids.length : 0;
      },
    },
    search: async (collection, request) => {
      stub.searches.push(request);
      if (stub.searchGate) await stub.searchGate;
      if (collection === 'explode') throw new TypeError("Cannot read properties of undefined (reading 'secret-internal')");
      if (collection !== STUB_COLLECTION.name) {
        throw new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, `no collection "${collection}"`, { collection });
      }
      return STUB_HIT;
    },
    readiness: async () => stub.readinessAnswer,
    readThumbnail: async (key) => (key === 'products/abc.jpg' ? { data: Buffer.from('jpeg-bytes'), contentType: 'image/jpeg' } : null),
  };
  return stub;
}
