/**
 * A whole Sightline on Qdrant: the specification-checking fake stands in for
 * it, so every call that ingest, search and delete make (payload indexes of
 * every type the passthrough fields produce included) is one Qdrant v1.18's
 * OpenAPI document accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { startFakeQdrant, type FakeQdrant } from '../store/fake-qdrant.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from './harness.ts';

describe('ingest, search and delete with the Qdrant store', () => {
  let fake: FakeQdrant;
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    fake = await startFakeQdrant({ apiKey: 'qdrant-key' });
    app = await startTestApp({ QDRANT_URL: fake.url, QDRANT_API_KEY: 'qdrant-key', QDRANT_REPLICATION_FACTOR: '2' });
    await app.collections.create('products', PRODUCTS_EXTRACTOR);
  });
  afterAll(async () => {
    await app?.dispose();
    await fake?.close();
  });

  it('stores, indexes, finds and deletes documents through requests Qdrant accepts', async () => {
    const image = (seed: number) => photoLikeJpeg(120, 90, seed).then((b) => ({ base64: b.toString('base64') }));
    const results = await app.ingest.ingest('products', [
      { product_image: await image(1), metadata: { sku: 'A-1', category: 'shoes', brand: 'Acme', price: 90 } },
      { product_image: await image(2), metadata: { sku: 'A-2', category: 'bags', price: 19.99 } },
      { product_image: await image(3), metadata: { sku: 'A-3', category: 'shoes', brand: 'Zed', price: 60 } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    const indexed = Object.keys(fake.collections.get('sightline_products')!.payloadSchema);
    expect(indexed.length).toBeGreaterThan(0);

    const shoes = { must: [{ key: 'metadata.category', match: { value: 'shoes' } }] };
    const found = await app.search.search('products', { query: { kind: 'text', text: 'shoe' }, filter: shoes, limit: 10, offset: 0, accuracy: { exact: true } });
    expect(found.points.map((p) => (p.payload.metadata as { sku: string }).sku).sort()).toEqual(['A-1', 'A-3']);
    expect(await app.store.delete('products', { filter: shoes })).toBe(2);
    expect(await app.store.count('products')).toBe(1);
    await expect(app.store.ping()).resolves.toBeUndefined();
    expect(fake.violations).toEqual([]);
    // Replicated collections are read from a majority of replicas.
    expect(fake.requests.filter((r) => r.operation.endsWith('/points/query')).every((r) => r.query.consistency === 'majority')).toBe(true);
  });
});
