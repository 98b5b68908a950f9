/**
 * The collection service over a real embedded store, each test in its own
 * data folder: collections are created bound to the image feature, listed,
 * required, and queried with filters checked against their fields.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollectionService, IMAGE_FEATURE } from '../../src/collections/collection-service.ts';
import { ErrorCode } from '../../src/errors.ts';
import { DEFAULT_FEATURE, FEATURES, featureByName } from '../../src/extractor/features/index.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { featureBinding, type VectorStore } from '../../src/store/vector-store.ts';

const extractor = (...fields: string[]) => ({
  feature_extractor_name: 'image_extractor',
  version: 'v1',
  input_mappings: { image: 'product_image' },
  field_passthrough: fields.map((source_path) => ({ source_path })),
});

const opened: VectorStore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A store in a fresh folder; pass `dataDir` to open a second one on the same folder (another process). */
function openStore(dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-collections-')), features = [IMAGE_FEATURE]) {
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const store = createEmbeddedStore({ dataDir, features, logger: silentLogger });
  opened.push(store);
  return { store, dataDir };
}

describe('createCollectionService', () => {
  it('creates a collection bound to the image feature, with its parsed extractor, and finds it again', async () => {
    const { store } = openStore();
    const collections = createCollectionService(store);
    const created = await collections.create('products', extractor('metadata.sku'));
    expect(created).toMatchObject({
      name: 'products',
      feature: IMAGE_FEATURE,
      documentCount: 0,
      extractor: { inputMappings: { image: 'product_image' }, fieldPassthrough: [{ sourcePath: 'metadata.sku', targetPath: 'metadata.sku' }] },
    });
    expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);
    expect(await collections.get('products')).toEqual(created);
    expect(await collections.require('products')).toEqual(created);
    expect((await collections.list()).map((c) => c.name)).toEqual(['products']);
  });

  it("binds a collection to the registry's feature its model names: the store records that binding", async () => {
    const large = featureByName('google_siglip_large_v1')!;
    const { store, dataDir } = openStore(undefined, FEATURES.map(featureBinding));
    const started: string[] = [];
    const collections = createCollectionService(store, { onCreate: (f) => void started.push(f.outputName) });
    await collections.create('big', { ...extractor(), parameters: { model: 'google_siglip_large_v1' } });
    await collections.create('small', extractor());
    expect((await store.getCollection('big'))?.feature).toEqual({
      featureUri: 'mixpeek://image_extractor@v1/google_siglip_large_v1',
      vectorName: 'google_siglip_large_v1',
      dimensions: 1024,
      distance: 'cosine',
    });
    expect(await collections.modelOf('big')).toBe(large);
    expect(await collections.modelOf('small')).toBe(DEFAULT_FEATURE);
    expect(started).toEqual(['google_siglip_large_v1', 'google_siglip_base_v1']);
    // A store that does not offer that model refuses to open the collection, and keeps serving the other.
    const baseOnly = createCollectionService(openStore(dataDir).store);
    await expect(baseOnly.require('big')).rejects.toMatchObject({ code: ErrorCode.FEATURE_MISMATCH });
    expect((await baseOnly.require('small')).model).toBe(DEFAULT_FEATURE);
  });

  it('counts the documents the store holds', async () => {
    const { store } = openStore();
    const collections = createCollectionService(store);
    await collections.create('counted', extractor());
    const vector = new Float32Array(IMAGE_FEATURE.dimensions).fill(1);
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    await store.upsert('counted', ids.map((id) => ({ id, vector, payload: {} })));
    expect((await collections.require('counted')).documentCount).toBe(2);
  });

  it('refuses a bad name, a bad extractor and a taken name with their codes, creating nothing', async () => {
    const { store } = openStore();
    const collections = createCollectionService(store);
    await expect(collections.create('no spaces', extractor())).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await expect(collections.create('bad-extractor', { ...extractor(), version: 'v9' })).rejects.toMatchObject({
      code: ErrorCode.INVALID_EXTRACTOR_CONFIG,
    });
    await expect(collections.create('proto', extractor('__proto__.polluted'))).rejects.toMatchObject({ code: ErrorCode.INVALID_EXTRACTOR_CONFIG });
    expect(await collections.list()).toEqual([]);
    await collections.create('taken', extractor('a'));
    await expect(collections.create('taken', extractor('b'))).rejects.toMatchObject({ code: ErrorCode.COLLECTION_EXISTS });
    expect((await collections.require('taken')).extractor.fieldPassthrough.map((p) => p.sourcePath)).toEqual(['a']);
  });

  it('answers a missing collection with undefined from get and COLLECTION_NOT_FOUND from require and checkFilter', async () => {
    const collections = createCollectionService(openStore().store);
    expect(await collections.get('missing')).toBeUndefined();
    await expect(collections.require('missing')).rejects.toMatchObject({ code: ErrorCode.COLLECTION_NOT_FOUND, details: { collection: 'missing' } });
    await expect(collections.checkFilter('missing', { must: [] })).rejects.toMatchObject({ code: ErrorCode.COLLECTION_NOT_FOUND });
  });

  it('leaves out of the list, and logs, a collection whose stored extractor is now refused; the others stay listed', async () => {
    const { store } = openStore();
    const lines: string[] = [];
    const collections = createCollectionService(store, { logger: createLogger('warn', {}, (line) => lines.push(line)) });
    await collections.create('good', extractor('sku'));
    // As stored by a version that still took prototype paths.
    await store.createCollection('legacy', { feature: IMAGE_FEATURE, config: extractor('constructor.name') });
    expect((await collections.list()).map((c) => c.name)).toEqual(['good']);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', collection: 'legacy', reason: expect.stringContaining('"constructor"') }),
    ]);
    await expect(collections.require('legacy')).rejects.toMatchObject({ code: ErrorCode.INVALID_EXTRACTOR_CONFIG });
  });

  it('checks a filter against the collection\'s fields: returns it when they exist, INVALID_FILTER when not', async () => {
    const collections = createCollectionService(openStore().store);
    await collections.create('filtered', extractor('metadata.category'));
    const filter = { must: [{ key: 'metadata.category', match: { value: 'shoes' } }] };
    expect(await collections.checkFilter('filtered', filter)).toEqual(filter);
    await expect(collections.checkFilter('filtered', { must: [{ key: 'metadata.colour', match: { value: 'red' } }] })).rejects.toMatchObject({
      code: ErrorCode.INVALID_FILTER,
    });
    await expect(collections.checkFilter('filtered', { must: [{ key: 'metadata.category' }] })).rejects.toMatchObject({ code: ErrorCode.INVALID_FILTER });
  });

  it('takes a filter on a field that a collection re-created elsewhere (another process) has gained', async () => {
    const { store, dataDir } = openStore();
    const server = createCollectionService(store);
    await server.create('recreated', extractor('sku'));
    await server.checkFilter('recreated', { must: [{ key: 'sku', match: { value: 'A' } }] });
    // The CLI, on the same data folder, replaces the collection with one that has other fields.
    const cliStore = openStore(dataDir).store;
    const cli = createCollectionService(cliStore);
    expect(await cliStore.deleteCollection('recreated')).toBe(true);
    await cli.create('recreated', extractor('colour'));
    const colour = { must: [{ key: 'colour', match: { value: 'red' } }] };
    expect(await server.checkFilter('recreated', colour)).toEqual(colour);
    await expect(server.checkFilter('recreated', { must: [{ key: 'sku', match: { value: 'A' } }] })).rejects.toMatchObject({
      code: ErrorCode.INVALID_FILTER,
    });
  });
});
