/**
 * A whole Sightline (embedded store, local thumbnails, the tiny generated
 * model) in a fresh temp folder, for tests that run real ingests and searches.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FULL_ACCESS } from '../../src/api/api-keys.ts';
import { createApolloServer } from '../../src/api/apollo.ts';
import { createHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { tinyModelDir } from '../fixtures/models.ts';
import type { S3TestServer } from '../fixtures/s3-server.ts';

/** The test configuration: the tiny model, loopback sources allowed; `env` overrides. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    MODEL_DIR: tinyModelDir(),
    MODEL_AUTO_DOWNLOAD: 'false',
    SIGHTLINE_ALLOW_PRIVATE_URLS: 'true',
    INFERENCE_THREADS: '1',
    PUBLIC_BASE_URL: 'http://sightline.test',
    ...env,
  });
}

export async function startTestApp(env: Record<string, string> = {}): Promise<App & { dataDir: string; dispose(): Promise<void> }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-app-'));
  const app = createApp(testConfig(dataDir, env), silentLogger);
  await app.model.start();
  app.jobs.resume();
  return {
    ...app,
    dataDir,
    async dispose() {
      await app.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApi {
  url: string;
  /** Posts a GraphQL operation; returns the whole answer, data and errors. */
  post<T>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ path?: string[]; extensions?: { code?: string } }> }>;
  /** Like post, but the data only; any error throws. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** The app behind the real HTTP server on loopback, without API keys. */
export async function serveApi(app: App): Promise<TestApi> {
  const server = await createHttpServer({
    services: createApiServices(app),
    config: { ...app.config.server, port: 0, host: '127.0.0.1', apiKeys: [], syncMaxObjects: app.config.ingest.syncMaxObjects },
    logger: silentLogger,
  });
  const url = await server.listen();
  async function post<T>(query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: T; errors?: Array<{ path?: string[]; extensions?: { code?: string } }> };
  }
  return {
    url,
    post,
    async graphql(query, variables) {
      const body = await post<never>(query, variables);
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data as never;
    },
    close: () => server.close(),
  };
}

export const PRODUCTS_EXTRACTOR = {
  feature_extractor_name: 'image_extractor',
  version: 'v1',
  input_mappings: { image: 'product_image' },
  field_passthrough: [
    { source_path: 'metadata.sku' },
    { source_path: 'metadata.category' },
    { source_path: 'metadata.brand', target_path: 'brand', default: 'unknown' },
    { source_path: 'metadata.price' },
  ],
  parameters: { enable_thumbnails: true },
};

/** The environment that points Sightline's S3 settings at a test server. */
export function s3Environment(s3: S3TestServer): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/** GraphQL operations run in-process against a test app's real services, with full access. */
export async function startGraphql(app: App) {
  const apollo = createApolloServer({ limits: app.config.server.graphql, syncMaxObjects: 8, logger: silentLogger });
  await apollo.start();
  const services = createApiServices(app);
  return {
    async run(query: string, variables?: Record<string, unknown>) {
      const response = await apollo.executeOperation(
        { query, variables },
        { contextValue: { services, requestId: 'req-test', logger: silentLogger, signal: new AbortController().signal, access: FULL_ACCESS } },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult;
    },
    stop: () => apollo.stop(),
  };
}
