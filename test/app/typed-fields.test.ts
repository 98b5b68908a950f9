/**
 * Issue 8 item 2 and issue 7 item 6 through GraphQL against the real services:
 * typed passthrough fields, values checked at ingest, filters checked against
 * the collection's fields, and collections made before types still working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_FEATURE } from '../../src/collections/collection-service.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { startGraphql, startTestApp } from './harness.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('typed passthrough fields and filters checked against them', () => {
  let app: TestApp;
  let graphql: Awaited<ReturnType<typeof startGraphql>>;
  const images: string[] = [];
  const run = (query: string, variables?: Record<string, unknown>) => graphql.run(query, variables);
  const ingest = (collection: string, objects: Record<string, unknown>[]) =>
    run(`mutation($c: String!, $o: [JSON!]!) { ingest(collection: $c, objects: $o) { results { status error { code message } } } }`, {
      c: collection,
      o: objects,
    });
  const search = (collection: string, filter: unknown) =>
    run(`query($c: String!, $f: FilterInput) { search(collection: $c, filter: $f, limit: 100) { hits { fields } } }`, { c: collection, f: filter });

  beforeAll(async () => {
    app = await startTestApp();
    graphql = await startGraphql(app);
    for (let i = 0; i < 3; i++) images.push(`data:image/jpeg;base64,${(await photoLikeJpeg(64 + i, 48, 10 + i)).toString('base64')}`);
    const created = await run(`mutation { createCollection(name: "typed", featureExtractor: {
      inputMappings: { image: "img" },
      fieldPassthrough: [{ sourcePath: "price", type: FLOAT }, { sourcePath: "stock", type: INTEGER },
                         { sourcePath: "metadata.category" }, { sourcePath: "released", type: DATETIME }] }) {
      featureExtractor { fieldPassthrough { sourcePath type } } } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data).toEqual({
      createCollection: {
        featureExtractor: {
          fieldPassthrough: [
            { sourcePath: 'price', type: 'FLOAT' },
            { sourcePath: 'stock', type: 'INTEGER' },
            { sourcePath: 'metadata.category', type: null },
            { sourcePath: 'released', type: 'DATETIME' },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await graphql?.stop();
    await app?.dispose();
  });

  it('fails an object whose value its declared type cannot hold, storing the rest', async () => {
    const answer = await ingest('typed', [
      { img: images[0], price: 10, stock: 3, metadata: { category: 'shoes' }, released: '2026-01-02' },
      { img: images[1], price: 19.99, stock: 1, metadata: { category: 'bags' }, released: '2026-03-04T10:00:00Z' },
      { img: images[2], price: 'cheap' },
      { img: images[2], stock: 2.5 },
      { img: images[2], released: 'last week' },
    ]);
    const results = (answer.data as { ingest: { results: { status: string; error: { code: string } | null }[] } }).ingest.results;
    expect(results.map((r) => r.status)).toEqual(['STORED', 'STORED', 'FAILED', 'FAILED', 'FAILED']);
    expect(results.slice(2).map((r) => r.error?.code)).toEqual(['INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE']);
    // 10 then 19.99: a float field, so a range finds both (an integer index would have truncated 19.99).
    const ranged = await search('typed', { must: [{ key: 'price', range: { gte: 10 } }] });
    expect((ranged.data as { search: { hits: unknown[] } }).search.hits).toHaveLength(2);
  });

  it('refuses a filter on a field the collection does not have, naming the nearest', async () => {
    // A document of its own, so a wrongly accepted delete would have something to delete.
    expect((await ingest('typed', [{ img: images[2], price: 1, metadata: { category: 'shoes' } }])).errors).toBeUndefined();
    const before = await app.store.count('typed');
    expect(before).toBeGreaterThan(0);
    const typo = await search('typed', { must: [{ key: 'metadata.categroy', match: 'shoes' }] });
    expect(typo.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
    expect(typo.errors?.[0]?.message).toMatch(/did you mean metadata\.category\?/);
    const del = await run(`mutation { deleteDocuments(collection: "typed", filter: { mustNot: [{ key: "metadata.categroy", match: "x" }] }) { deleted } }`);
    expect(del.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
    // Refused, not read as "matches nothing" (which, under mustNot, would have deleted everything).
    expect(await app.store.count('typed')).toBe(before);
  });

  it('refuses a value that can never match its field type', async () => {
    const asString = await search('typed', { must: [{ key: 'price', match: '100' }] });
    expect(asString.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
    const fractional = await search('typed', { must: [{ key: 'stock', range: { gte: 1.5 } }] });
    expect(fractional.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
  });

  it('keeps a collection made before types working: its stored config loads, its fields filter', async () => {
    const oldConfig = {
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'img' },
      field_passthrough: [{ source_path: 'metadata.price', target_path: 'price', required: false }],
      parameters: { enable_thumbnails: false },
    };
    await app.store.createCollection('before_types', { feature: IMAGE_FEATURE, config: oldConfig });
    const listed = await run(`{ collection(name: "before_types") { featureExtractor { fieldPassthrough { targetPath type } } } }`);
    expect(listed.data).toEqual({ collection: { featureExtractor: { fieldPassthrough: [{ targetPath: 'price', type: null }] } } });
    const stored = await ingest('before_types', [{ img: images[0], metadata: { price: 'any value, as before' } }]);
    expect(stored.errors).toBeUndefined();
    const found = await search('before_types', { must: [{ key: 'price', match: 'any value, as before' }] });
    expect((found.data as { search: { hits: unknown[] } }).search.hits).toHaveLength(1);
  });
});
