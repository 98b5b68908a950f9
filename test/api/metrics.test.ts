/**
 * /metrics over HTTP against the real services and the tiny model: what an
 * operator's Prometheus scrapes after real searches and ingests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import type { ApiKeyGrant } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from '../app/harness.ts';
import { encode, solid } from '../fixtures/images.ts';
import { postGraphql } from './http-harness.ts';

const KEYS: ApiKeyGrant[] = [
  { key: 'scraper', scopes: ['metrics'], collections: null },
  { key: 'admin', scopes: ['admin'], collections: null },
  { key: 'page', scopes: ['search'], collections: null },
];

/** The value of one sample in the text exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let server: SightlineHttpServer;
  let url: string;
  const call = (query: string, variables?: Record<string, unknown>) =>
    postGraphql(url, query, { authorization: 'Bearer admin' }, variables).then((r) => r.json());
  const scrape = (key: string) => fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    app = await startTestApp();
    server = await createHttpServer({
      services: createApiServices(app),
      config: { ...app.config.server, port: 0, host: '127.0.0.1', apiKeys: KEYS, syncMaxObjects: 64 },
      logger: silentLogger,
      metrics: app.metrics,
    });
    url = await server.listen();
    await app.collections.create('metered', PRODUCTS_EXTRACTOR);
    const image = `data:image/png;base64,${(await encode(solid(32, 32, [200, 40, 40]), 'png')).toString('base64')}`;
    await call('mutation($o: [JSON!]!) { ingest(collection: "metered", objects: $o) { results { status } } }', {
      o: [{ product_image: image }, { product_image: 'ftp://nowhere/x.png' }],
    });
    await call('{ search(collection: "metered", query: { text: "red square" }) { hits { id } } }');
    await call('{ search(collection: "absent", query: { text: "red square" }) { hits { id } } }');
    await call('{ a: collections { name } b: extractors { name } }');
  });
  afterAll(async () => {
    await server?.close();
    await app?.dispose();
  });

  it('needs a key with the metrics scope when keys are on', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const refused = await scrape('page');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions).toEqual({
      code: 'FORBIDDEN',
      details: { scope: 'metrics' },
    });
    expect((await scrape('admin')).status).toBe(200);
  });

  it('counts requests by operation and outcome, with latency histograms', async () => {
    const res = await scrape('scraper');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'sightline_graphql_requests_total', { operation: 'search', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'sightline_graphql_requests_total', { operation: 'search', outcome: 'COLLECTION_NOT_FOUND' })).toBe(1);
    expect(sample(text, 'sightline_graphql_requests_total', { operation: 'ingest', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'sightline_graphql_requests_total', { operation: 'multiple', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'sightline_graphql_request_duration_seconds_count', { operation: 'search', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'sightline_graphql_request_duration_seconds_bucket', { operation: 'search', outcome: 'ok', le: '+Inf' })).toBe(1);
  });

  it('counts ingested items by status and error code', async () => {
    const text = await (await scrape('scraper')).text();
    expect(sample(text, 'sightline_ingest_items_total', { status: 'stored', code: 'none' })).toBe(1);
    expect(sample(text, 'sightline_ingest_items_total', { status: 'failed', code: 'INVALID_SOURCE' })).toBe(1);
  });

  it('reports inference batches, queue wait and time per tower, store query time, event-loop lag and job queue depth', async () => {
    const text = await (await scrape('scraper')).text();
    for (const tower of ['vision', 'text']) {
      // The warm-up at model load runs one batch through each tower, besides the test's own.
      expect(sample(text, 'sightline_inference_batch_size_count', { tower })).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'sightline_inference_queue_wait_seconds_count', { tower })).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'sightline_inference_batch_duration_seconds_count', { tower })).toBeGreaterThanOrEqual(2);
    }
    expect(sample(text, 'sightline_store_query_duration_seconds_count', { operation: 'search' })).toBe(1);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'sightline_ingest_jobs', { state: 'queued' })).toBe(0);
    expect(sample(text, 'sightline_ingest_jobs', { state: 'running' })).toBe(0);
  });
});
