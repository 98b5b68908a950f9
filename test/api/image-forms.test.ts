/**
 * What the API takes as an image, with the real parser and services behind it:
 * ingest and search accept the same forms (URL, s3://, data: URI, plain base64,
 * { base64 }), refuse a server-side path, and say what is wrong with a blank
 * value or a malformed document id, each with its own code.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import { silentLogger } from '../../src/logger.ts';
import { createGraphqlClient, type GraphqlRequest } from '../../seed/graphql-client.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from '../app/harness.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';

interface GraphqlFailure {
  code: string;
  message: string;
}

describe('image forms and error codes over the API (real services, tiny model)', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let server: SightlineHttpServer;
  let request: GraphqlRequest;
  let photo: Buffer;
  let photoPath: string;

  beforeAll(async () => {
    app = await startTestApp();
    server = await createHttpServer({
      services: createApiServices(app),
      config: { ...app.config.server, port: 0, host: '127.0.0.1', apiKeys: [], syncMaxObjects: 64 },
      logger: silentLogger,
    });
    const url = await server.listen();
    request = createGraphqlClient({ endpoint: `${url}/graphql`, timeoutMs: 60_000 });
    await app.collections.create('forms', PRODUCTS_EXTRACTOR);
    photo = await photoLikeJpeg(96, 64, 7);
    // A real file on the server's disk: the API must still refuse to read it.
    photoPath = path.join(app.dataDir, 'photo.jpg');
    await fs.writeFile(photoPath, photo);
  });
  afterAll(async () => {
    await server?.close();
    await app?.dispose();
  });

  const failure = (err: unknown): GraphqlFailure => {
    const e = err as { code?: string; extensions?: { code?: string }; message: string };
    return { code: e.code ?? e.extensions?.code ?? '', message: e.message };
  };

  async function ingest(objects: unknown[]) {
    const answer = await request<{ ingest: { results: { status: string; documentIds: string[]; error: GraphqlFailure | null }[] } }>(
      `mutation($o: [JSON!]!) { ingest(collection: "forms", objects: $o) { results { status documentIds error { code message } } } }`,
      { o: objects },
    );
    return answer.ingest.results;
  }

  const search = (query: Record<string, unknown>) =>
    request<{ search: { hits: { id: string; score: number | null }[] } }>(
      `query($q: SearchQueryInput) { search(collection: "forms", query: $q, limit: 1) { hits { id score } } }`,
      { q: query },
    );

  it('ingests plain base64 and finds it again by plain base64', async () => {
    const [stored] = await ingest([{ product_image: photo.toString('base64'), metadata: { sku: 'B64' } }]);
    expect(stored).toMatchObject({ status: 'STORED', error: null });
    const { search: result } = await search({ image: photo.toString('base64') });
    expect(result.hits[0]?.id).toBe(stored?.documentIds[0]);
    expect(result.hits[0]?.score).toBeGreaterThan(0.999);
  });

  it('refuses a path, even to a file the server has, in ingest and in search alike', async () => {
    const [result] = await ingest([{ product_image: photoPath }]);
    expect(result?.error).toMatchObject({ code: 'INVALID_SOURCE', message: expect.stringContaining('the server reads no local files') });
    const err = await search({ image: photoPath }).then(() => undefined, failure);
    expect(err).toMatchObject({ code: 'INVALID_SOURCE', message: expect.stringContaining('the server reads no local files') });
  });

  it('says an empty image field is empty (EMPTY_INPUT), and a missing one missing', async () => {
    const [empty, missing] = await ingest([{ product_image: '' }, { metadata: { sku: 'none' } }]);
    expect(empty?.error).toMatchObject({ code: 'EMPTY_INPUT', message: expect.stringMatching(/^product_image: the image source is empty/) });
    expect(missing?.error).toMatchObject({ code: 'MISSING_INPUT_FIELD' });
    expect(await search({ image: ' ' }).then(() => undefined, failure)).toMatchObject({ code: 'EMPTY_INPUT' });
    expect(await search({ text: ' ' }).then(() => undefined, failure)).toMatchObject({ code: 'EMPTY_INPUT' });
  });

  it('says what a document id is when given a malformed one (INVALID_DOCUMENT_ID)', async () => {
    const bySearch = await search({ documentId: 'SKU-123' }).then(() => undefined, failure);
    expect(bySearch).toMatchObject({ code: 'INVALID_DOCUMENT_ID', message: expect.stringContaining('documentIds') });
    const byLookup = await request(`{ document(collection: "forms", id: "SKU-123") { id } }`).then(() => undefined, failure);
    expect(byLookup).toMatchObject({ code: 'INVALID_DOCUMENT_ID' });
  });

  it('names a generated test model as one in the extractors query, never as SigLIP', async () => {
    const answer = await request<{ extractors: { model: string; featureUri: string; status: string }[] }>(`{ extractors { model featureUri status } }`);
    expect(answer.extractors).toEqual([
      {
        model: 'generated test model (random weights, seed 0), "tiny" SigLIP-architecture shape',
        featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
        status: 'READY',
      },
      // Not loaded (no collection uses it): named by its checkpoint, not as loaded.
      { model: 'google/siglip-large-patch16-256', featureUri: 'mixpeek://image_extractor@v1/google_siglip_large_v1', status: 'ABSENT' },
    ]);
  });
});
