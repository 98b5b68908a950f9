/** The accuracy knobs a query leaves out come from configuration; the ones it sets win. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_FEATURE } from '../../src/extractor/features/index.ts';
import { createSearchService } from '../../src/search/search-service.ts';
import type { SearchQuery, VectorStore } from '../../src/store/vector-store.ts';

/** A store that records what the search service asks of it; only search and get are reached. */
function recordingStore(asked: SearchQuery[]): VectorStore {
  const unused = () => Promise.reject(new Error('not reached by a document search'));
  return {
    search: async (_name, q) => (asked.push(q), []),
    get: async (_name, ids) => ids.map((id) => ({ id, payload: {}, vector: new Float32Array(768).fill(1) })),
    createCollection: unused,
    getCollection: unused,
    listCollections: unused,
    deleteCollection: unused,
    upsert: unused,
    delete: unused,
    count: unused,
    scroll: unused,
    ensurePayloadIndexes: unused,
    ping: unused,
    close: unused,
  };
}

describe('search accuracy', () => {
  const config = loadConfig({ SEARCH_HNSW_EF: '200', QDRANT_SEARCH_OVERSAMPLING: '1.5' });
  const asked: SearchQuery[] = [];
  const service = createSearchService({
    store: recordingStore(asked),
    collections: {
      checkFilter: () => Promise.reject(new Error('these queries have no filter')),
      modelOf: async () => DEFAULT_FEATURE,
    },
    extractor: () => {
      throw new Error('a document query needs no model');
    },
    fetcher: { fetch: () => Promise.reject(new Error('a document query fetches nothing')) },
    media: { withItems: () => Promise.reject(new Error('a document query decodes nothing')) },
    limits: config.limits,
    accuracy: config.search,
  });
  const query = { kind: 'document' as const, documentId: '00000000-0000-4000-8000-000000000001' };

  it('applies the configured defaults: approximate search with the configured beam', async () => {
    await service.search('c', { query, limit: 10, offset: 0 });
    expect(asked.at(-1)).toMatchObject({ exact: false, hnswEf: 200, rescore: true, oversampling: 1.5 });
  });

  it('lets a query ask for exact search or a wider beam', async () => {
    await service.search('c', { query, limit: 10, offset: 0, accuracy: { exact: true, hnswEf: undefined } });
    expect(asked.at(-1)).toMatchObject({ exact: true, hnswEf: 200 });
    await service.search('c', { query, limit: 10, offset: 0, accuracy: { hnswEf: 512 } });
    expect(asked.at(-1)).toMatchObject({ exact: false, hnswEf: 512 });
  });
});
