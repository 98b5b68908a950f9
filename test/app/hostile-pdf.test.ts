/**
 * Issue 7's hostile PDFs against a whole server (HTTP, real services, tiny
 * model): a PDF that MuPDF would render for minutes, and one of 8 pages of
 * 9990×9990 pt, by ingest and as a search image.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import { silentLogger } from '../../src/logger.ts';
import { formXObjectBombPdf, giantPagesPdf, multiPagePdf } from '../fixtures/pdfs.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from './harness.ts';

// Far longer than answering /healthz and a search takes, far shorter than the hostile page would render.
const PAGE_BUDGET_MS = 5000;
const INGEST = `mutation($o: [JSON!]!) { ingest(collection: "docs", objects: $o) { results { status documentIds error { code } } } }`;
const SEARCH = `query($q: SearchQueryInput) { search(collection: "docs", query: $q, limit: 3) { hits { id pageNumber } } }`;

interface Answer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}
type IngestAnswer = Answer<{ ingest: { results: { status: string; documentIds: string[]; error: { code: string } | null }[] } }>;

const dataUri = (pdf: Uint8Array) => `data:application/pdf;base64,${Buffer.from(pdf).toString('base64')}`;

describe('hostile PDFs cannot stall or exhaust the server', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let server: SightlineHttpServer;
  let url: string;
  const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<Answer<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Answer<T>;
  };

  beforeAll(async () => {
    app = await startTestApp({ PDF_PAGE_TIMEOUT_MS: String(PAGE_BUDGET_MS) });
    await app.collections.create('docs', PRODUCTS_EXTRACTOR);
    server = await createHttpServer({
      services: createApiServices(app),
      config: { ...app.config.server, port: 0, host: '127.0.0.1', apiKeys: [], syncMaxObjects: 64 },
      logger: silentLogger,
    });
    url = await server.listen();
    // An ordinary PDF first: the render workers are started, as on a server that has seen one.
    const warm = await gql<IngestAnswer['data']>(INGEST, { o: [{ product_image: dataUri(multiPagePdf([[1, 0, 0], [0, 0, 1]])) }] });
    expect(warm.data?.ingest.results[0]?.status).toBe('STORED');
  });
  afterAll(async () => {
    await server?.close();
    await app?.dispose();
  });

  it('answers /healthz and a search while a PDF that renders for minutes is ingested, then fails it with PDF_RENDER_TIMEOUT', async () => {
    let handling = true;
    const ingest = gql<IngestAnswer['data']>(INGEST, { o: [{ product_image: dataUri(formXObjectBombPdf()) }] }).finally(() => {
      handling = false;
    });
    // Let the page reach MuPDF before asking.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await fetch(`${url}/healthz`);
    const search = await gql<{ search: { hits: unknown[] } }>(SEARCH, { q: { text: 'a blue page' } });
    expect(handling).toBe(true);
    expect(health.status).toBe(200);
    expect(search.errors).toBeUndefined();
    expect(search.data?.search.hits.length).toBeGreaterThan(0);
    const answer = await ingest;
    expect(answer.data?.ingest.results[0]).toMatchObject({ status: 'FAILED', error: { code: 'PDF_RENDER_TIMEOUT' } });
  });

  it('refuses the same PDF as a search image with PDF_RENDER_TIMEOUT', async () => {
    const answer = await gql(SEARCH, { q: { image: dataUri(formXObjectBombPdf()) } });
    expect(answer.errors?.[0]?.extensions?.code).toBe('PDF_RENDER_TIMEOUT');
  });

  it('searches by a PDF of 9990×9990 pt pages, its first page rendered scaled down', async () => {
    const answer = await gql<{ search: { hits: unknown[] } }>(SEARCH, { q: { image: dataUri(giantPagesPdf(8)) } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.search.hits.length).toBeGreaterThan(0);
  });
});

describe('memory while ingesting 8 pages of 9990×9990 pt', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-rss-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores every page, scaled down, with the process RSS rising by less than 1 GiB', async () => {
    const file = path.join(dir, 'giant.pdf');
    writeFileSync(file, giantPagesPdf(8));
    const probe = new URL('../fixtures/pdf-ingest-rss.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, file], { maxBuffer: 1 << 20 });
    const report = JSON.parse(stdout.trim().split('\n').pop() as string) as { riseBytes: number; results: { status: string; documentIds: string[] }[] };
    expect(report.results[0]?.status).toBe('stored');
    expect(report.results[0]?.documentIds).toHaveLength(8);
    expect(report.riseBytes).toBeLessThan(1024 ** 3);
  });
});
