/**
 * Two models in one server: a collection bound to SigLIP large (a generated
 * tiny model of its shape: 1024-d, 256 px) beside a SigLIP base collection.
 * Each ingests and searches with its own model, which the extractors'
 * counters prove; readiness and the extractors query show each model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServices } from '../../src/app/api-services.ts';
import { DEFAULT_FEATURE, featureByName } from '../../src/extractor/features/index.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { modelsDirWith } from '../fixtures/models.ts';
import { createApp } from '../../src/app/app.ts';
import { silentLogger } from '../../src/logger.ts';
import { startGraphql, startTestApp, testConfig } from './harness.ts';

const LARGE = featureByName('google_siglip_large_v1')!;

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
type Graphql = Awaited<ReturnType<typeof startGraphql>>;

const CREATE = `mutation($name: String!, $model: String) {
  createCollection(name: $name, featureExtractor: {
    inputMappings: { image: "img" }, fieldPassthrough: [{ sourcePath: "sku" }], parameters: { model: $model }
  }) { name featureUri featureExtractor { parameters { model } } }
}`;
const INGEST = `mutation($name: String!, $objects: [JSON!]!) {
  ingest(collection: $name, objects: $objects) { results { status documentIds error { code } } }
}`;
const SEARCH = `query($name: String!, $query: SearchQueryInput, $featureUri: String) {
  search(collection: $name, query: $query, featureUri: $featureUri, limit: 3) { hits { id score probability fields } }
}`;

describe('a collection bound to the second model, beside a base collection', () => {
  let app: TestApp;
  let gql: Graphql;
  let parent: string;
  const photos: string[] = [];

  beforeAll(async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-models-'));
    app = await startTestApp({ MODELS_DIR: modelsDirWith(parent, LARGE) });
    gql = await startGraphql(app);
    for (let i = 0; i < 3; i++) photos.push((await photoLikeJpeg(300, 200, 40 + i)).toString('base64'));
  });
  afterAll(async () => {
    await gql?.stop();
    await app?.dispose();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  const run = async <T>(query: string, variables: Record<string, unknown>) => {
    const result = await gql.run(query, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data as T;
  };
  const objects = () => photos.map((base64, i) => ({ img: { base64 }, sku: `S-${i}` }));
  type Hits = { search: { hits: { id: string; score: number; probability: number | null; fields: { sku: string } }[] } };

  it('binds, ingests, and searches by text, image, document and parts with the collection\'s own model', async () => {
    // Before any collection needs it, the second model is listed but not loaded, and not part of readiness.
    const before = await createApiServices(app).readiness(new AbortController().signal);
    expect(Object.keys(before)).not.toContain(`model:${LARGE.outputName}`);
    expect(createApiServices(app).extractors().find((e) => e.outputName === LARGE.outputName)).toMatchObject({ status: 'ABSENT', dimensions: 1024 });

    const created = await run<{ createCollection: { featureUri: string; featureExtractor: { parameters: { model: string } } } }>(
      CREATE,
      { name: 'large', model: LARGE.outputName },
    );
    expect(created.createCollection).toMatchObject({ featureUri: LARGE.featureUri, featureExtractor: { parameters: { model: LARGE.outputName } } });
    expect((await run<typeof created>(CREATE, { name: 'base' })).createCollection.featureUri).toBe(DEFAULT_FEATURE.featureUri);
    // Its model was on disk, so createCollection answered once it had loaded: the collection takes ingests at once.
    expect(app.models.get(LARGE).state().phase).toBe('ready');
    const large = app.models.get(LARGE).extractor();
    const base = app.model.extractor();
    const [largeBefore, baseBefore] = [large.stats(), base.stats()];

    const ingested = await run<{ ingest: { results: { status: string; documentIds: string[] }[] } }>(INGEST, { name: 'large', objects: objects() });
    expect(ingested.ingest.results.map((r) => r.status)).toEqual(['STORED', 'STORED', 'STORED']);
    expect(large.stats().images - largeBefore.images).toBe(3);
    expect(base.stats().images).toBe(baseBefore.images);
    await run(INGEST, { name: 'base', objects: objects().slice(0, 1) });
    expect(base.stats().images - baseBefore.images).toBe(1);

    const [firstId] = ingested.ingest.results[0]!.documentIds;
    const stored = await app.store.get('large', [firstId!], { withVector: true });
    expect(stored[0]?.vector).toHaveLength(LARGE.dimensions);
    expect((await app.store.get('base', (await app.store.scroll('base', { limit: 1 })).map((p) => p.id), { withVector: true }))[0]?.vector).toHaveLength(768);

    const byImage = await run<Hits>(SEARCH, { name: 'large', query: { image: photos[1] } });
    expect(byImage.search.hits[0]).toMatchObject({ fields: { sku: 'S-1' } });
    expect(byImage.search.hits[0]!.score).toBeCloseTo(1, 4);
    expect(large.stats().images - largeBefore.images).toBe(4);

    const textBatches = large.stats().textBatches;
    const byText = await run<Hits>(SEARCH, { name: 'large', query: { text: 'a red leather sneaker' } });
    expect(byText.search.hits).toHaveLength(3);
    // SigLIP's probability is computed with the large model's own scalars (arithmetic only: random weights).
    expect(byText.search.hits.every((h) => typeof h.probability === 'number')).toBe(true);
    expect(large.stats().textBatches).toBe(textBatches + 1);

    const byDocument = await run<Hits>(SEARCH, { name: 'large', query: { documentId: firstId } });
    expect(byDocument.search.hits[0]).toMatchObject({ id: firstId });
    const parts = await run<Hits>(SEARCH, {
      name: 'large',
      query: { parts: [{ documentId: firstId, weight: 1 }, { text: 'in blue', weight: 0.5 }] },
    });
    expect(parts.search.hits).toHaveLength(3);
    expect(base.stats().textBatches).toBe(baseBefore.textBatches);

    // The other model's feature URI is refused for this collection, with the code that says so.
    const wrong = await gql.run(SEARCH, { name: 'large', query: { text: 'x' }, featureUri: DEFAULT_FEATURE.featureUri });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('FEATURE_MISMATCH');

    const ready = await createApiServices(app).readiness(new AbortController().signal);
    expect(ready[`model:${LARGE.outputName}`]).toMatchObject({ ok: true, model: expect.stringMatching(/^generated test model/) });
    expect(ready.model).toMatchObject({ ok: true });
    expect(createApiServices(app).extractors().map((e) => [e.outputName, e.status, e.dimensions, e.imageSize])).toEqual([
      [DEFAULT_FEATURE.outputName, 'READY', 768, 224],
      [LARGE.outputName, 'READY', 1024, 256],
    ]);
  });

  it('refuses a model the server does not offer, naming the ones it does', async () => {
    const refused = await gql.run(CREATE, { name: 'nope', model: 'google_siglip_huge_v9' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_EXTRACTOR_CONFIG');
    expect(refused.errors?.[0]?.message).toContain(LARGE.outputName);
  });
});

describe('per-model readiness when a collection\'s model is missing', () => {
  let app: TestApp;
  let parent: string;

  beforeAll(async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-models-'));
    app = await startTestApp({ MODELS_DIR: path.join(parent, 'empty') });
  });
  afterAll(async () => {
    await app?.dispose();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('keeps the default model ready, says why the other is not, and fails only its collection\'s items', async () => {
    await app.collections.create('large', { feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'img' }, parameters: { model: LARGE.outputName } });
    await expect(app.models.start(LARGE)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const services = createApiServices(app);
    const ready = await services.readiness(new AbortController().signal);
    expect(ready.model).toMatchObject({ ok: true });
    expect(ready[`model:${LARGE.outputName}`]).toMatchObject({ ok: false, reason: expect.stringContaining(LARGE.dirName) });
    // The refusal says how to get this model, not the default one.
    expect(ready[`model:${LARGE.outputName}`]).toMatchObject({ reason: expect.stringContaining('npm run model:download -- --model google_siglip_large_v1') });
    expect(services.extractors().find((e) => e.outputName === LARGE.outputName)).toMatchObject({ status: 'FAILED' });

    const photo = (await photoLikeJpeg(64, 64, 7)).toString('base64');
    const [result] = await app.ingest.ingest('large', [{ img: { base64: photo } }]);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'MODEL_NOT_READY' } });
  });
});

describe('loading at start', () => {
  it('loads the models the stored collections are bound to, and only those', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-models-'));
    const config = testConfig(path.join(parent, 'data'), { MODELS_DIR: modelsDirWith(parent, LARGE) });
    try {
      const first = createApp(config, silentLogger);
      await first.startModels();
      expect(first.models.get(LARGE).state().phase).toBe('absent');
      await first.collections.create('large', { feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'img' }, parameters: { model: LARGE.outputName } });
      await first.close();

      const second = createApp(config, silentLogger);
      await second.startModels();
      expect([second.model.state().phase, second.models.get(LARGE).state().phase]).toEqual(['ready', 'ready']);
      await second.close();
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
