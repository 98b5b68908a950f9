import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServices } from '../../src/app/api-services.ts';
import { IMAGE_FEATURE } from '../../src/collections/collection-service.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from './harness.ts';

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.dispose());

const ID = '00000000-0000-4000-8000-000000000001';
const SOUND = {
  source: 'https://example.com/a.png',
  content_type: 'image/png',
  page_number: null,
  total_pages: null,
  width: 10,
  height: 10,
  thumbnail_url: null,
  processing_time_ms: 3,
  ingested_at: '2026-01-01T00:00:00.000Z',
};

/** A collection holding one document whose stored payload is `payload`, written to the store directly. */
async function collectionWith(name: string, payload: Record<string, unknown>) {
  await app.collections.create(name, PRODUCTS_EXTRACTOR);
  const vector = new Float32Array(IMAGE_FEATURE.dimensions).fill(0.1);
  await app.store.upsert(name, [{ id: ID, vector, payload }]);
}

describe('documents read back through the API services', () => {
  it('serves the fields ingest wrote, passthrough fields apart', async () => {
    await collectionWith('docs_sound', { ...SOUND, sku: 'A-1' });
    const doc = await createApiServices(app).documents.get('docs_sound', ID, { withEmbedding: false });
    expect(doc).toMatchObject({ id: ID, fields: { sku: 'A-1' }, source: SOUND.source, width: 10, processingTimeMs: 3, ingestedAt: SOUND.ingested_at });
  });

  it('answers STORE_DATA_INVALID naming the document when its stored fields are damaged, rather than blanks', async () => {
    await collectionWith('docs_damaged', { ...SOUND, width: 'wide' });
    const services = createApiServices(app);
    const refusal = { code: 'STORE_DATA_INVALID', details: { collection: 'docs_damaged', what: `the fields of document ${ID}` } };
    await expect(services.documents.get('docs_damaged', ID, { withEmbedding: false })).rejects.toMatchObject(refusal);
    const listing = { query: null, limit: 10, offset: 0 };
    await expect(services.search('docs_damaged', listing, new AbortController().signal)).rejects.toMatchObject(refusal);
  });
});
