import fs from 'node:fs/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';
import { parseSourceRef } from '../../src/sources/index.ts';
import { startAwkwardHttpServer, type AwkwardHttpServer } from '../fixtures/awkward-http-server.ts';
import { startS3Server, type S3TestServer } from '../fixtures/s3-server.ts';
import { PRODUCTS_EXTRACTOR, s3Environment, startTestApp } from './harness.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('ingest and search (embedded store, local thumbnails, loopback sources)', () => {
  let app: TestApp;
  let http: AwkwardHttpServer;
  let s3: S3TestServer;
  const photos: Buffer[] = [];
  let collections = 0;
  let served = 0;

  beforeAll(async () => {
    http = await startAwkwardHttpServer();
    s3 = await startS3Server();
    for (let i = 0; i < 4; i++) photos.push(await photoLikeJpeg(200 + 10 * i, 150, 100 + i));
    app = await startTestApp(s3Environment(s3));
  });
  afterAll(async () => {
    await app?.dispose();
    await http?.close();
    await s3?.close();
  });

  /** Each test its own collection, so any test passes alone and in any order. */
  async function freshCollection(): Promise<string> {
    const name = `products-${++collections}`;
    await app.collections.create(name, PRODUCTS_EXTRACTOR);
    return name;
  }

  /**
   * The test catalogue, served from paths and a bucket of its own (so request
   * counts are this test's): good objects from HTTP, S3 and base64, the same
   * URL twice, and objects that fail with their own codes.
   */
  async function catalogue() {
    const at = `/c${++served}`;
    http.serve(`${at}/p0.jpg`, photos[0] as Buffer, 'image/jpeg');
    http.serve(`${at}/p1.jpg`, photos[1] as Buffer, 'text/plain'); // wrong header: bytes decide
    const bucket = await s3.freshBucket('catalogue');
    await s3.putObject(bucket, 'items/p2.jpg', photos[2] as Buffer);
    const objects = [
      { product_image: http.url(`${at}/p0.jpg`), metadata: { sku: 'A-0', category: 'shoes', brand: 'Acme', price: 90 } },
      { product_image: http.url(`${at}/p1.jpg`), metadata: { sku: 'A-1', category: 'bags', price: 120 } },
      { product_image: `s3://${bucket}/items/p2.jpg`, metadata: { sku: 'A-2', category: 'shoes', brand: 'Zed', price: 60 } },
      { product_image: { base64: (photos[3] as Buffer).toString('base64') }, metadata: { sku: 'A-3', category: 'hats', price: 15 } },
      { product_image: http.url(`${at}/p0.jpg`), metadata: { sku: 'A-0-again', category: 'shoes', price: 90 } },
      { metadata: { sku: 'no-image' } },
      { product_image: { base64: Buffer.from('definitely not an image').toString('base64') }, metadata: { sku: 'bad' } },
      { product_image: http.url(`${at}/not-found`), metadata: { sku: 'missing' } },
      { product_image: `data:application/pdf;base64,${Buffer.from(multiPagePdf([[255, 0, 0], [0, 255, 0], [0, 0, 255]])).toString('base64')}`, metadata: { sku: 'SPEC-1', category: 'spec-sheets' } },
    ];
    return { objects, p0Path: `${at}/p0.jpg` };
  }

  /** A fresh collection holding the whole catalogue. */
  async function loadedCollection() {
    const name = await freshCollection();
    const { objects } = await catalogue();
    const results = await app.ingest.ingest(name, objects);
    expect(results.every((r, i) => r.status === 'stored' || [5, 6, 7].includes(i))).toBe(true);
    return { name, objects, results };
  }

  const skus = (points: Array<{ payload: Record<string, unknown> }>) => points.map((p) => (p.payload.metadata as { sku: string }).sku).sort();

  it('stores good objects and fails bad ones with codes, in input order', async () => {
    const name = await freshCollection();
    const { objects, p0Path } = await catalogue();
    const results = await app.ingest.ingest(name, objects);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.map((r) => (r.status === 'stored' ? 'stored' : r.error.code))).toEqual([
      'stored',
      'stored',
      'stored',
      'stored',
      'stored',
      'MISSING_INPUT_FIELD',
      'UNSUPPORTED_MEDIA_TYPE',
      'SOURCE_NOT_FOUND',
      'stored',
    ]);
    // The same URL twice in one batch is fetched once, and maps to the same document.
    expect(http.requestCount(p0Path)).toBe(1);
    expect(results[4]?.documentIds).toEqual(results[0]?.documentIds);
    // ...and, as if the batch ran in order, the later object's fields win.
    const [shared] = await app.store.get(name, results[0]?.documentIds ?? []);
    expect(shared?.payload.metadata).toMatchObject({ sku: 'A-0-again' });
    // A 3-page PDF becomes three documents.
    expect(results[8]?.documentIds).toHaveLength(3);
    expect((await app.collections.require(name)).documentCount).toBe(4 + 3);
  });

  it('updates documents on re-ingest instead of adding twins', async () => {
    const name = await freshCollection();
    const { objects } = await catalogue();
    const [first] = await app.ingest.ingest(name, [objects[2], objects[3]]);
    expect((await app.collections.require(name)).documentCount).toBe(2);
    const [again] = await app.ingest.ingest(name, [{ ...objects[2], metadata: { sku: 'A-2', category: 'boots' } }]);
    expect(again?.status).toBe('stored');
    expect(again?.documentIds).toEqual(first?.documentIds);
    expect((await app.collections.require(name)).documentCount).toBe(2);
    const [point] = await app.store.get(name, again?.documentIds ?? []);
    expect(point?.payload.metadata).toMatchObject({ sku: 'A-2', category: 'boots' });
  });

  it('stores passthrough fields, defaults, page numbers and a thumbnail per document', async () => {
    const name = await freshCollection();
    const { objects } = await catalogue();
    const [pdf] = await app.ingest.ingest(name, [objects[8]]);
    const points = await app.store.get(name, pdf?.documentIds ?? []);
    expect(points.map((p) => [p.payload.page_number, p.payload.total_pages])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(points[0]?.payload).toMatchObject({ metadata: { sku: 'SPEC-1', category: 'spec-sheets' }, brand: 'unknown', content_type: 'application/pdf' });
    const url = String(points[0]?.payload.thumbnail_url);
    expect(url).toMatch(new RegExp(`^http://sightline\\.test/thumbnails/${name}/.+\\.jpg$`));
    const key = url.replace('http://sightline.test/thumbnails/', '');
    const storage = app.config.thumbnails;
    if (storage.kind !== 'local') throw new Error('this test stores thumbnails locally');
    const jpeg = await fs.readFile(path.join(storage.dir, key));
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('finds an ingested image by itself first, with a score of about 1', async () => {
    const { name } = await loadedCollection();
    const r = await app.search.search(name, {
      query: { kind: 'image', source: parseSourceRef({ base64: (photos[2] as Buffer).toString('base64') }) },
      limit: 3,
      offset: 0,
    });
    expect(r.points[0]?.payload.metadata).toMatchObject({ sku: 'A-2' });
    expect(r.points[0]?.score).toBeGreaterThan(0.999);
  });

  it('searches by a stored document id without embedding anything, and by text through the text tower', async () => {
    const { name, results } = await loadedCollection();
    const id = results[3]?.documentIds[0] as string;
    const extractor = app.model.extractor();
    const before = extractor.stats();
    const byDoc = await app.search.search(name, { query: { kind: 'document', documentId: id }, limit: 2, offset: 0 });
    expect(byDoc.points[0]?.id).toBe(id);
    expect(byDoc.points[0]?.score).toBeCloseTo(1, 5);
    expect(extractor.stats()).toEqual(before);
    // A text nobody searched before: the cache cannot answer it, the text tower must.
    const byText = await app.search.search(name, { query: { kind: 'text', text: `red leather sneakers ${name}` }, limit: 5, offset: 0 });
    expect(byText.points).toHaveLength(5);
    expect(extractor.stats()).toMatchObject({ images: before.images, textBatches: before.textBatches + 1 });
  });

  it('narrows a search with a passthrough filter, and lists by filter alone', async () => {
    const { name } = await loadedCollection();
    const filter = { must: [{ key: 'metadata.category', match: { value: 'shoes' } }] };
    const hits = await app.search.search(name, { query: { kind: 'text', text: 'shoe' }, filter, limit: 10, offset: 0 });
    expect(skus(hits.points)).toEqual(['A-0-again', 'A-2']);
    const listed = await app.search.search(name, {
      query: null,
      filter: { must: [{ key: 'metadata.price', range: { lt: 100 } }], must_not: [{ key: 'metadata.category', match: { value: 'spec-sheets' } }] },
      limit: 10,
      offset: 0,
    });
    expect(listed.points.every((p) => p.score === null)).toBe(true);
    expect(skus(listed.points)).toEqual(['A-0-again', 'A-2', 'A-3']);
  });

  it('refuses an unknown collection and a foreign feature URI with their codes', async () => {
    await expect(app.ingest.ingest('nope', [{}])).rejects.toMatchObject({ code: 'COLLECTION_NOT_FOUND' });
    for (const query of [null, { kind: 'text' as const, text: 'shoe' }, { kind: 'document' as const, documentId: '00000000-0000-4000-8000-000000000000' }]) {
      await expect(app.search.search('nope', { query, limit: 1, offset: 0 })).rejects.toMatchObject({ code: 'COLLECTION_NOT_FOUND' });
    }
    const name = await freshCollection();
    await expect(app.search.search(name, { query: null, featureUri: 'mixpeek://other@v1/x', limit: 1, offset: 0 })).rejects.toMatchObject({
      code: 'FEATURE_MISMATCH',
    });
  });

  it('refuses a collection with a bad extractor configuration', async () => {
    const bad = [
      { ...PRODUCTS_EXTRACTOR, version: 'v9' },
      { ...PRODUCTS_EXTRACTOR, input_mappings: { image: '' } },
      { ...PRODUCTS_EXTRACTOR, field_passthrough: [{ source_path: 'metadata..sku' }] },
    ];
    for (const [i, config] of bad.entries()) {
      await expect(app.collections.create(`bad-${i}`, config)).rejects.toMatchObject({ code: 'INVALID_EXTRACTOR_CONFIG' });
      expect(await app.collections.get(`bad-${i}`)).toBeUndefined();
    }
  });
});

describe('thumbnails in S3 behind a CDN base URL', () => {
  let s3: S3TestServer;
  let app: TestApp;

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket('thumbs');
    app = await startTestApp({
      ...s3Environment(s3),
      THUMBNAIL_STORAGE: 's3',
      THUMBNAIL_S3_BUCKET: 'thumbs',
      THUMBNAIL_S3_PREFIX: 'sightline/',
      THUMBNAIL_CDN_BASE_URL: 'https://cdn.example.com',
    });
    await app.collections.create('products', PRODUCTS_EXTRACTOR);
  });
  afterAll(async () => {
    await app?.dispose();
    await s3?.close();
  });

  it('uploads a 640 px JPEG per document and records its CDN URL', async () => {
    const photo = await photoLikeJpeg(1280, 960, 7);
    const [result] = await app.ingest.ingest('products', [{ product_image: { base64: photo.toString('base64') }, metadata: { sku: 'T-1' } }]);
    const id = result?.documentIds[0] as string;
    const [point] = await app.store.get('products', [id]);
    expect(point?.payload.thumbnail_url).toBe(`https://cdn.example.com/sightline/products/${id}.jpg`);
    const object = await s3.client.send(new GetObjectCommand({ Bucket: 'thumbs', Key: `sightline/products/${id}.jpg` }));
    expect(object.ContentType).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await object.Body!.transformToByteArray())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 480]);
  });
});
