/**
 * A whole Sightline with INFERENCE_BACKEND=kserve against `sightline
 * inference-server` on loopback, serving both registry models: a collection
 * bound to the second model ingests and searches remotely, /readyz reports
 * the inference server, and once it goes away a search fails with
 * INFERENCE_UNAVAILABLE in `extensions.code`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServices } from '../../src/app/api-services.ts';
import { startInferenceServer } from '../../src/cli/inference-server-command.ts';
import { DEFAULT_FEATURE, featureByName } from '../../src/extractor/features/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { TEST_SESSION } from '../fixtures/inference-backends.ts';
import { modelsDirWith, tinyModelDir } from '../fixtures/models.ts';
import { startGraphql, startTestApp } from './harness.ts';

const LARGE = featureByName('google_siglip_large_v1')!;

describe('remote inference in a whole server', () => {
  let server: Awaited<ReturnType<typeof startInferenceServer>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let gql: Awaited<ReturnType<typeof startGraphql>>;
  let parent: string;
  let serverClosed = false;

  beforeAll(async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-remote-'));
    server = await startInferenceServer({
      models: [
        { feature: DEFAULT_FEATURE, dir: tinyModelDir() },
        { feature: LARGE, dir: tinyModelDir(LARGE) },
      ],
      variant: 'fp32',
      session: TEST_SESSION,
      host: '127.0.0.1',
      port: 0,
      maxBatch: 16,
      maxQueued: 16,
      logger: silentLogger,
    });
    // INFERENCE_THREADS belongs to in-process inference, so it is cleared here.
    app = await startTestApp({ INFERENCE_BACKEND: 'kserve', INFERENCE_URL: server.url, INFERENCE_THREADS: '', MODELS_DIR: modelsDirWith(parent, LARGE) });
    gql = await startGraphql(app);
  });
  afterAll(async () => {
    await gql?.stop();
    await app?.dispose();
    if (!serverClosed) await server?.close();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  const run = (query: string, variables: Record<string, unknown>) => gql.run(query, variables);

  it('binds a collection to the second model, ingests and searches through the inference server', async () => {
    const created = await run(
      `mutation($model: String) { createCollection(name: "remote-large", featureExtractor: { inputMappings: { image: "img" }, parameters: { model: $model } }) { featureUri } }`,
      { model: LARGE.outputName },
    );
    expect(created.errors).toBeUndefined();
    const photo = (await photoLikeJpeg(300, 200, 7)).toString('base64');
    const ingested = await run(`mutation($objects: [JSON!]!) { ingest(collection: "remote-large", objects: $objects) { results { status } } }`, {
      objects: [{ img: { base64: photo } }],
    });
    expect(ingested.data).toEqual({ ingest: { results: [{ status: 'STORED' }] } });
    const found = await run(`query { search(collection: "remote-large", query: { text: "a red shoe" }, limit: 1) { hits { score } } }`, {});
    expect((found.data as { search: { hits: unknown[] } }).search.hits).toHaveLength(1);
    expect(app.models.get(LARGE).extractor().inferenceBackend).toContain(server.url);

    const readiness = await createApiServices(app).readiness(new AbortController().signal);
    expect(readiness.inference).toEqual({ ok: true, backend: `KServe v2 server at ${server.url}` });
  });

  it('reports not ready, and fails a search with INFERENCE_UNAVAILABLE, once the inference server is gone', async () => {
    await server.close();
    serverClosed = true;
    const readiness = await createApiServices(app).readiness(new AbortController().signal);
    expect(readiness.inference).toMatchObject({ ok: false, reason: expect.stringContaining('cannot be reached') });
    const failed = await run(`query { search(collection: "remote-large", query: { text: "a blue mug, never asked before" }) { hits { score } } }`, {});
    expect(failed.errors?.map((e) => e.extensions?.code)).toEqual(['INFERENCE_UNAVAILABLE']);
  });
});
