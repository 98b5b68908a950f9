/**
 * The product end to end over HTTP: real services (embedded store, local
 * thumbnails, the tiny generated model) behind the API, loaded with the demo
 * seed through the seed's own client, then searched every way the API offers.
 */
import { adminKey } from '../../src/config.ts';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadCatalogue } from '../../seed/catalogue.ts';
import { generateSeedFiles, type GeneratedFiles } from '../../seed/generate.ts';
import { createGraphqlClient, type GraphqlRequest } from '../../seed/graphql-client.ts';
import { ensureSeedCollection, ingestSeedObjects, seedObjects } from '../../seed/seed-products.ts';
import { startTestApp } from '../app/harness.ts';

const KEY = 'e2e-key';
const catalogue = loadCatalogue();
const seedDir = mkdtempSync(path.join(os.tmpdir(), 'sightline-e2e-seed-'));

interface Hit {
  id: string;
  score: number | null;
  fields: Record<string, unknown>;
  pageNumber: number | null;
  totalPages: number | null;
  thumbnailUrl: string | null;
}
interface SearchAnswer {
  search: { hits: Hit[]; timing: { embeddingMs: number; searchMs: number; totalMs: number } };
}

const SEARCH = `query($query: SearchQueryInput, $filter: FilterInput, $limit: Int) {
  search(collection: "products", query: $query, filter: $filter, limit: $limit) {
    hits { id score fields pageNumber totalPages thumbnailUrl }
    timing { embeddingMs searchMs totalMs }
  }
}`;

describe('end to end over HTTP (real services, tiny model)', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let server: SightlineHttpServer;
  let url: string;
  let request: GraphqlRequest;
  let files: GeneratedFiles;

  beforeAll(async () => {
    app = await startTestApp();
    server = await createHttpServer({
      services: createApiServices(app),
      config: { ...app.config.server, port: 0, host: '127.0.0.1', apiKeys: [adminKey(KEY)], syncMaxObjects: 64 },
      logger: silentLogger,
    });
    url = await server.listen();
    request = createGraphqlClient({ endpoint: `${url}/graphql`, apiKey: KEY, timeoutMs: 120_000 });
    files = await generateSeedFiles(catalogue, seedDir);
    expect(await ensureSeedCollection(request)).toBe('created');
    const outcome = await ingestSeedObjects(request, await seedObjects(catalogue, files), 16, () => {});
    expect(outcome.failures).toEqual([]);
  });
  afterAll(async () => {
    await server?.close();
    await app?.dispose();
    rmSync(seedDir, { recursive: true, force: true });
  });

  const search = (variables: Record<string, unknown>) => request<SearchAnswer>(SEARCH, variables);

  it('stores one document per product and one per spec sheet page', async () => {
    const pages = catalogue.specSheets.reduce((n, s) => n + s.pages, 0);
    const answer = await request<{ collection: { documentCount: number } }>(`{ collection(name: "products") { documentCount } }`);
    expect(answer.collection.documentCount).toBe(catalogue.products.length + pages);
  });

  it('reports a bad object with its code while storing the rest of its batch', async () => {
    // A collection of its own: re-ingesting a seed product here would change what the other tests find.
    await request(`mutation { createCollection(name: "e2e-mixed-batch", featureExtractor: { inputMappings: { image: "product_image" } }) { name } }`);
    const good = `data:image/png;base64,${(await readFile(files.images.get('SL-002')!)).toString('base64')}`;
    const answer = await request<{ ingest: { results: { status: string; documentIds: string[]; error: { code: string } | null }[] } }>(
      `mutation($o: [JSON!]!) { ingest(collection: "e2e-mixed-batch", objects: $o) { results { status documentIds error { code } } } }`,
      { o: [{ product_image: good, metadata: { sku: 'SL-002' } }, { product_image: 'data:image/png;base64,bm90IGFuIGltYWdl' }] },
    );
    const [stored, failed] = answer.ingest.results;
    expect(stored).toMatchObject({ status: 'STORED', error: null });
    expect(stored!.documentIds).toHaveLength(1);
    // "not an image" has no image signature: it is refused by type, before any decoder sees it.
    expect(failed).toMatchObject({ status: 'FAILED', documentIds: [], error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const count = await request<{ collection: { documentCount: number } }>(`{ collection(name: "e2e-mixed-batch") { documentCount } }`);
    expect(count.collection.documentCount).toBe(1);
  });

  it('finds an ingested image first, with a score of about 1, when searched by itself', async () => {
    const image = `data:image/png;base64,${(await readFile(files.images.get('SL-017')!)).toString('base64')}`;
    const { search: result } = await search({ query: { image }, limit: 3 });
    expect(result.hits[0]?.fields.sku).toBe('SL-017');
    expect(result.hits[0]?.score).toBeGreaterThan(0.999);
  });

  it('searches by a stored document id without re-embedding', async () => {
    const { search: lookup } = await search({ filter: { must: [{ key: 'sku', match: 'SL-033' }, { key: 'category', except: ['spec-sheet'] }] } });
    expect(lookup.hits).toHaveLength(1);
    const id = lookup.hits[0]!.id;
    // The extractor counts every image it preprocesses and every text tower run: a search by
    // a stored document must reuse the stored vector, so neither count may move.
    const extractor = app.model.extractor();
    const before = extractor.stats();
    const { search: result } = await search({ query: { documentId: id }, limit: 2 });
    expect(result.hits[0]?.id).toBe(id);
    expect(result.hits[0]?.score).toBeGreaterThan(0.999);
    expect(extractor.stats()).toEqual(before);
    // The same counters do move for a search by that product's image: they would catch a re-embedding.
    const image = `data:image/png;base64,${(await readFile(files.images.get('SL-033')!)).toString('base64')}`;
    const { search: byImage } = await search({ query: { image }, limit: 1 });
    expect(byImage.hits[0]?.id).toBe(id);
    expect(extractor.stats()).toMatchObject({ images: before.images + 1, batches: before.batches + 1, textBatches: before.textBatches });
  });

  it('ranks by text, and keeps a filter on passthrough fields', async () => {
    const { search: plain } = await search({ query: { text: 'a red running shoe' }, limit: 5 });
    expect(plain.hits).toHaveLength(5);
    const scores = plain.hits.map((h) => h.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const { search: filtered } = await search({
      query: { text: 'a red running shoe' },
      filter: { must: [{ key: 'tags', any: ['kitchen'] }] },
      limit: 50,
    });
    const kitchen = catalogue.products.filter((p) => p.tags.includes('kitchen')).map((p) => p.sku);
    expect(filtered.hits.map((h) => h.fields.sku).sort()).toEqual(kitchen.sort());
  });

  it('lists exactly the products a filter matches, in a stable order, when there is no query', async () => {
    const filter = {
      must: [{ key: 'category', match: 'footwear' }, { key: 'price', range: { lte: 120 } }],
      mustNot: [{ key: 'brand', match: 'Northwind' }],
    };
    const expected = catalogue.products
      .filter((p) => p.category === 'footwear' && p.price <= 120 && p.brand !== 'Northwind')
      .map((p) => p.sku)
      .sort();
    const first = await search({ filter, limit: 50 });
    const again = await search({ filter, limit: 50 });
    expect(first.search.hits.map((h) => h.fields.sku).sort()).toEqual(expected);
    expect(first.search.hits.every((h) => h.score === null)).toBe(true);
    expect(again.search.hits.map((h) => h.id)).toEqual(first.search.hits.map((h) => h.id));
  });

  it('keeps each spec sheet page as its own document, with a thumbnail the server serves', async () => {
    const sheet = catalogue.specSheets[0]!;
    const { search: pages } = await search({
      filter: { must: [{ key: 'sku', match: sheet.sku }, { key: 'category', match: 'spec-sheet' }] },
      limit: 10,
    });
    expect(pages.hits.map((h) => h.pageNumber).sort()).toEqual(Array.from({ length: sheet.pages }, (_, i) => i + 1));
    expect(pages.hits.every((h) => h.totalPages === sheet.pages)).toBe(true);
    const thumbnailPath = new URL(pages.hits[0]!.thumbnailUrl!).pathname;
    expect(thumbnailPath.startsWith('/thumbnails/')).toBe(true);
    const unauthorised = await fetch(`${url}${thumbnailPath}`);
    expect(unauthorised.status).toBe(401);
    const thumbnail = await fetch(`${url}${thumbnailPath}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
  });

  it('refuses every operation without the key', async () => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ collections { name } }' }),
    });
    expect(res.status).toBe(401);
  });
});
