/**
 * Deleted means gone: deleting documents or a collection through the API
 * removes their thumbnails, from the local folder (served at /thumbnails/)
 * and from S3.
 */
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { startS3Server, type S3TestServer } from '../fixtures/s3-server.ts';
import { PRODUCTS_EXTRACTOR, s3Environment, serveApi, startTestApp, type TestApi } from './harness.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const INGEST = `mutation($collection: String!, $objects: [JSON!]!) {
  ingest(collection: $collection, objects: $objects) { results { status documentIds } }
}`;
const DELETE_IDS = `mutation($collection: String!, $ids: [ID!]) { deleteDocuments(collection: $collection, ids: $ids) { deleted } }`;
const DELETE_FILTER = `mutation($collection: String!, $filter: FilterInput) {
  deleteDocuments(collection: $collection, filter: $filter) { deleted }
}`;
const DELETE_COLLECTION = `mutation($name: String!) { deleteCollection(name: $name) }`;
/** Ingests one photo per sku; returns each sku's document id. */
async function ingest(api: TestApi, collection: string, skus: string[]): Promise<Map<string, string>> {
  const objects = await Promise.all(
    skus.map(async (sku, i) => ({
      product_image: { base64: (await photoLikeJpeg(120 + i, 90, 300 + i)).toString('base64') },
      metadata: { sku },
    })),
  );
  const { ingest } = await api.graphql<{ ingest: { results: { status: string; documentIds: string[] }[] } }>(INGEST, {
    collection,
    objects,
  });
  return new Map(skus.map((sku, i) => [sku, ingest.results[i]?.documentIds[0] as string]));
}

describe('deleting through the API removes local thumbnails', () => {
  let app: TestApp;
  let api: TestApi;
  const thumbnail = (collection: string, id: string) => fetch(`${api.url}/thumbnails/${collection}/${id}.jpg`);

  beforeAll(async () => {
    app = await startTestApp();
    api = await serveApi(app);
  });
  afterAll(async () => {
    await api?.close();
    await app?.dispose();
  });

  it('serves a thumbnail until its document is deleted by id, then answers 404', async () => {
    await app.collections.create('by-id', PRODUCTS_EXTRACTOR);
    const ids = await ingest(api, 'by-id', ['A', 'B']);
    expect((await thumbnail('by-id', ids.get('A')!)).status).toBe(200);
    // Ids are UUIDs in any case: the thumbnail goes whichever case the caller uses.
    const { deleteDocuments } = await api.graphql<{ deleteDocuments: { deleted: number } }>(DELETE_IDS, {
      collection: 'by-id',
      ids: [ids.get('A')!.toUpperCase()],
    });
    expect(deleteDocuments.deleted).toBe(1);
    expect((await thumbnail('by-id', ids.get('A')!)).status).toBe(404);
    expect((await thumbnail('by-id', ids.get('B')!)).status).toBe(200);
  });

  it('removes the thumbnails of documents deleted by filter, and only those', async () => {
    await app.collections.create('by-filter', PRODUCTS_EXTRACTOR);
    const ids = await ingest(api, 'by-filter', ['keep', 'drop-1', 'drop-2']);
    const { deleteDocuments } = await api.graphql<{ deleteDocuments: { deleted: number } }>(DELETE_FILTER, {
      collection: 'by-filter',
      filter: { must: [{ key: 'metadata.sku', any: ['drop-1', 'drop-2'] }] },
    });
    expect(deleteDocuments.deleted).toBe(2);
    expect((await thumbnail('by-filter', ids.get('drop-1')!)).status).toBe(404);
    expect((await thumbnail('by-filter', ids.get('drop-2')!)).status).toBe(404);
    expect((await thumbnail('by-filter', ids.get('keep')!)).status).toBe(200);
  });

  it('answers 404 for a collection folder, and removes every thumbnail with the collection', async () => {
    await app.collections.create('whole', PRODUCTS_EXTRACTOR);
    const ids = await ingest(api, 'whole', ['A', 'B']);
    expect((await fetch(`${api.url}/thumbnails/whole`)).status).toBe(404);
    expect((await fetch(`${api.url}/thumbnails/whole/`)).status).toBe(404);
    expect(await api.graphql(DELETE_COLLECTION, { name: 'whole' })).toEqual({ deleteCollection: true });
    for (const id of ids.values()) expect((await thumbnail('whole', id)).status).toBe(404);
  });
});

describe('deleting through the API removes S3 thumbnails', () => {
  let s3: S3TestServer;
  let app: TestApp;
  let api: TestApi;
  let bucket: string;
  const exists = async (key: string) =>
    s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (err: Error) => (err.name === 'NotFound' ? false : Promise.reject(err)),
    );

  beforeAll(async () => {
    s3 = await startS3Server();
    bucket = await s3.freshBucket('removal-thumbs');
    app = await startTestApp({ ...s3Environment(s3), THUMBNAIL_STORAGE: 's3', THUMBNAIL_S3_BUCKET: bucket, THUMBNAIL_S3_PREFIX: 'tn/' });
    api = await serveApi(app);
  });
  afterAll(async () => {
    await api?.close();
    await app?.dispose();
    await s3?.close();
  });

  it('deletes the object of a document deleted by id or by filter, and the rest with the collection', async () => {
    await app.collections.create('shop', PRODUCTS_EXTRACTOR);
    const ids = await ingest(api, 'shop', ['A', 'B', 'C']);
    for (const id of ids.values()) expect(await exists(`tn/shop/${id}.jpg`)).toBe(true);

    await api.graphql(DELETE_IDS, { collection: 'shop', ids: [ids.get('A')] });
    expect(await exists(`tn/shop/${ids.get('A')}.jpg`)).toBe(false);
    expect(await exists(`tn/shop/${ids.get('B')}.jpg`)).toBe(true);

    await api.graphql(DELETE_FILTER, { collection: 'shop', filter: { must: [{ key: 'metadata.sku', match: 'B' }] } });
    expect(await exists(`tn/shop/${ids.get('B')}.jpg`)).toBe(false);
    expect(await exists(`tn/shop/${ids.get('C')}.jpg`)).toBe(true);

    await api.graphql(DELETE_COLLECTION, { name: 'shop' });
    const left = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tn/' }));
    expect(left.Contents ?? []).toEqual([]);
  });
});
