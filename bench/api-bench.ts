/**
 * Issue #4's figures, through the real HTTP server: text-search latency over
 * 10k and 100k documents, and a concurrent search load (autocannon) while an
 * ingest runs, counting every error, non-2xx and GraphQL error.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createHttpServer } from '../src/api/server.ts';
import { createApiServices } from '../src/app/api-services.ts';
import { createApp, type App } from '../src/app/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { servePhotos } from './ingest-bench.ts';
import { summarise, type Latency } from './measure.ts';
import type { Photo } from './photos.ts';
import { fillStore } from './search-bench.ts';

export interface ApiLatencyResult {
  documents: number;
  textSearch: Latency;
}

export interface ApiLoadResult {
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latency: { p50: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  graphqlErrors: number;
  ingest: { objects: number; failed: number; seconds: number };
}

export interface ApiBenchResult {
  latency: ApiLatencyResult[];
  load: ApiLoadResult;
}

// Server-side warnings and errors reach stderr: a failed request in the load is worth seeing.
const serverLogger = createLogger('warn', { component: 'bench-server' });

const SEARCH = 'query Search($q: String!, $c: String!) { search(collection: $c, query: { text: $q }, limit: 10) { hits { id score } } }';
const QUERIES = ['red leather sneakers', 'blue ceramic mug', 'wooden desk lamp', 'striped cotton shirt'];
const EXTRACTOR = {
  feature_extractor_name: 'image_extractor',
  version: 'v1',
  input_mappings: { image: 'image_url' },
  field_passthrough: [{ source_path: 'metadata.sku' }, { source_path: 'metadata.category' }],
  parameters: {},
};

async function withServer<T>(modelDir: string, use: (app: App, graphqlUrl: string) => Promise<T>): Promise<T> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-bench-api-'));
  const config = loadConfig({ DATA_DIR: dataDir, MODEL_DIR: modelDir, MODEL_AUTO_DOWNLOAD: 'false', SIGHTLINE_ALLOW_PRIVATE_URLS: 'true', PORT: '0', HOST: '127.0.0.1' });
  const app = createApp(config, serverLogger);
  const server = await createHttpServer({
    services: createApiServices(app),
    config: { ...config.server, syncMaxObjects: 10_000 },
    logger: serverLogger,
  });
  try {
    await app.model.start();
    const base = await server.listen();
    return await use(app, `${base}/graphql`);
  } finally {
    await server.close();
    await app.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * One POST on a fresh connection: filling a store in this same process blocks
 * the event loop for seconds, and a pooled keep-alive socket reused just as
 * the server times it out would be reset (a client-side race, not a failure
 * of the server under test).
 */
function post(url: string, query: string, variables: Record<string, unknown>): Promise<{ errors?: unknown[] }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errors?: unknown[] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function textSearchLatency(url: string, collection: string, rounds: number): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const body = await post(url, SEARCH, { q: QUERIES[i % QUERIES.length], c: collection });
    if (body.errors) throw new Error(`search failed: ${JSON.stringify(body.errors)}`);
    times.push(performance.now() - t0);
  }
  return summarise(times);
}

export async function runApiBench(modelDir: string, photos: Photo[], sizes: number[], rounds: number, loadSeconds: number): Promise<ApiBenchResult> {
  return withServer(modelDir, async (app, url) => {
    const latency: ApiLatencyResult[] = [];
    for (const documents of sizes) {
      const name = `docs${documents}`;
      await app.collections.create(name, EXTRACTOR);
      await fillStore(app.store, name, documents);
      await textSearchLatency(url, name, 2); // loads the collection's matrix
      latency.push({ documents, textSearch: await textSearchLatency(url, name, rounds) });
    }

    const searched = `docs${sizes[0]}`;
    await app.collections.create('ingesting', EXTRACTOR);
    const photoServer = await servePhotos(photos);
    let graphqlErrors = 0;
    try {
      const t0 = performance.now();
      const ingest = app.ingest
        .ingest('ingesting', photos.map((_, i) => ({ image_url: photoServer.url(i), metadata: { sku: `L-${i}` } })))
        .then((results) => ({ objects: results.length, failed: results.filter((r) => r.status === 'failed').length, seconds: (performance.now() - t0) / 1000 }));
      const connections = 8;
      const load = await autocannon({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: SEARCH, variables: { q: 'red leather sneakers', c: searched } }),
        connections,
        duration: loadSeconds,
        verifyBody: (body: string) => {
          const ok = !body.includes('"errors"');
          if (!ok) graphqlErrors++;
          return ok;
        },
      });
      const ingested = await ingest;
      return {
        latency,
        load: {
          connections,
          seconds: loadSeconds,
          requests: load.requests.total,
          requestsPerSecond: load.requests.average,
          latency: { p50: load.latency.p50, p99: load.latency.p99, max: load.latency.max },
          errors: load.errors + load.timeouts,
          non2xx: load.non2xx,
          graphqlErrors,
          ingest: ingested,
        },
      };
    } finally {
      await photoServer.close();
    }
  });
}
