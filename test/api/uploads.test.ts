/**
 * Files as multipart form data (the GraphQL multipart request specification),
 * over HTTP against the real services and the tiny generated model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import { silentLogger } from '../../src/logger.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from '../app/harness.ts';
import { encode, halves, photoLikeJpeg, solid } from '../fixtures/images.ts';

const MAX_SOURCE_BYTES = 4096;
const MAX_BODY_BYTES = 256 * 1024;

const INGEST = `mutation($objects: [JSON!]!) {
  ingest(collection: "uploads", objects: $objects) { results { index status documentIds error { code } } }
}`;
const SEARCH_BY_FILE = `query($file: Upload) {
  search(collection: "uploads", query: { imageFile: $file }, limit: 3) { hits { id score source } }
}`;

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions: { code: string; details?: Record<string, unknown> } }[];
}

/** A multipart request as the spec lays it out: operations, map, then the files. */
function multipart(query: string, variables: Record<string, unknown>, files: Record<string, Buffer>): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(Object.keys(files).map((path, i) => [String(i), [path]]))));
  Object.values(files).forEach((bytes, i) => form.append(String(i), new Blob([bytes]), `file-${i}.png`));
  return form;
}

describe('uploads as multipart form data', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let server: SightlineHttpServer;
  let url: string;
  let red: Buffer;
  let blue: Buffer;

  const send = async (form: FormData, headers: Record<string, string> = { 'apollo-require-preflight': 'true' }) => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', body: form, headers });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const documentCount = async () => (await app.collections.get('uploads'))?.documentCount;

  beforeAll(async () => {
    app = await startTestApp({ MAX_SOURCE_BYTES: String(MAX_SOURCE_BYTES) });
    server = await createHttpServer({
      services: createApiServices(app),
      config: { ...app.config.server, port: 0, host: '127.0.0.1', apiKeys: [], syncMaxObjects: 64, maxBodyBytes: MAX_BODY_BYTES },
      logger: silentLogger,
    });
    url = await server.listen();
    await app.collections.create('uploads', PRODUCTS_EXTRACTOR);
    red = await encode(solid(32, 32, [220, 30, 30]), 'png');
    blue = await encode(halves(32, 32, [20, 40, 220], [240, 240, 240]), 'png');
  });
  afterAll(async () => {
    await server?.close();
    await app?.dispose();
  });

  it('ingests files placed in the image field, then finds one by uploading it again', async () => {
    const objects = [
      { product_image: null, metadata: { sku: 'RED-1' } },
      { product_image: null, metadata: { sku: 'BLUE-1' } },
    ];
    const ingested = await send(
      multipart(INGEST, { objects }, { 'variables.objects.0.product_image': red, 'variables.objects.1.product_image': blue }),
    );
    expect(ingested.status).toBe(200);
    const results = (ingested.body.data?.ingest as { results: { status: string; documentIds: string[] }[] }).results;
    expect(results.map((r) => r.status)).toEqual(['STORED', 'STORED']);

    const found = await send(multipart(SEARCH_BY_FILE, { file: null }, { 'variables.file': blue }));
    const hits = (found.body.data?.search as { hits: { id: string; score: number; source: string }[] }).hits;
    expect(hits[0]?.id).toBe(results[1]?.documentIds[0]);
    expect(hits[0]?.score).toBeCloseTo(1, 4);
    expect(hits[0]?.source).toMatch(/^upload:sha256:[0-9a-f]{16}$/);
  });

  it('keeps Apollo CSRF prevention: a multipart request without a preflight header runs nothing', async () => {
    const before = await documentCount();
    const refused = await send(multipart(INGEST, { objects: [{ product_image: null }] }, { 'variables.objects.0.product_image': red }), {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    expect(await documentCount()).toBe(before);
  });

  it('fails a file over MAX_SOURCE_BYTES as that object only, with SOURCE_TOO_LARGE', async () => {
    const large = await photoLikeJpeg(200, 200);
    expect(large.length).toBeGreaterThan(MAX_SOURCE_BYTES);
    const objects = [{ product_image: null }, { product_image: null }];
    const answer = await send(
      multipart(INGEST, { objects }, { 'variables.objects.0.product_image': large, 'variables.objects.1.product_image': red }),
    );
    const results = (answer.body.data?.ingest as { results: { status: string; error: { code: string } | null }[] }).results;
    expect(results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['FAILED', 'SOURCE_TOO_LARGE'],
      ['STORED', null],
    ]);
  });

  it('refuses a file outside the image field, naming where it was', async () => {
    const answer = await send(
      multipart(INGEST, { objects: [{ product_image: null, metadata: { photo: null } }] }, {
        'variables.objects.0.product_image': red,
        'variables.objects.0.metadata.photo': blue,
      }),
    );
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { index: 0, path: 'metadata.photo', imageField: 'product_image' },
    });
  });

  it('refuses a request body over the cap with 413, files included', async () => {
    const answer = await send(multipart(SEARCH_BY_FILE, { file: null }, { 'variables.file': Buffer.alloc(MAX_BODY_BYTES + 1) }));
    expect(answer.status).toBe(413);
    expect(answer.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a malformed multipart request and an Upload given as a plain JSON value', async () => {
    const form = new FormData();
    form.append('operations', '{ not json');
    expect((await send(form)).status).toBe(400);
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: SEARCH_BY_FILE, variables: { file: 'aGVsbG8=' } }),
    });
    const body = (await res.json()) as Answer;
    expect(body.errors?.[0]?.message).toMatch(/multipart request/);
  });
});
