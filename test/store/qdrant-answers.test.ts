import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQdrantStore } from '../../src/store/qdrant-store.ts';
import { EXPECTED, id, vec } from './conformance.ts';
import { startFakeQdrant, type FakeQdrant } from './fake-qdrant.ts';

let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(() => fake.close());

function open() {
  const store = loadConfig({ QDRANT_URL: fake.url }).store;
  if (store.kind !== 'qdrant') throw new Error('QDRANT_URL chooses Qdrant');
  const retry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1000 };
  return createQdrantStore({ ...store, features: [EXPECTED], logger: silentLogger, retry });
}

/** A store over a fresh collection holding one point. */
async function withPoint(name: string) {
  const store = open();
  await store.createCollection(name, { feature: EXPECTED, config: {} });
  await store.upsert(name, [{ id: id(1), vector: vec(1), payload: { sku: 'A' } }]);
  return store;
}

const ok = (result: unknown) => ({ status: 200, json: { result, status: 'ok', time: 0 } });

describe('Qdrant answers read back by the store', () => {
  it('refuses an answer off Qdrant\'s API with STORE_DATA_INVALID, once, without retrying it', async () => {
    const store = await withPoint('answers_count');
    const path = /^\/collections\/sightline_answers_count\/points\/count$/;
    fake.fail({ method: 'POST', path, times: 1, reply: ok({ count: 'many' }) });
    const before = fake.requests.length;
    await expect(store.count('answers_count')).rejects.toMatchObject({
      code: 'STORE_DATA_INVALID',
      details: { problem: expect.stringContaining('count') },
    });
    expect(fake.requests.slice(before).filter((r) => path.test(r.path))).toHaveLength(1);
    // The fake notes that its canned answer is off the OpenAPI document: that is the point here.
    expect(fake.violations.splice(0).length).toBeGreaterThan(0);
    expect(await store.count('answers_count')).toBe(1);
  });

  it('refuses a returned vector whose width is not the collection\'s, naming the point', async () => {
    const store = await withPoint('answers_vector');
    const short = { id: id(1), payload: {}, vector: { [EXPECTED.vectorName]: [0.5, 0.5] } };
    fake.fail({ method: 'POST', path: /^\/collections\/sightline_answers_vector\/points$/, times: 1, reply: ok([short]) });
    await expect(store.get('answers_vector', [id(1)], { withVector: true })).rejects.toMatchObject({
      code: 'STORE_DATA_INVALID',
      details: { collection: 'answers_vector', what: `the vector of point ${id(1)}` },
    });
  });

  it('refuses a collection whose Sightline metadata another client damaged', async () => {
    const store = await withPoint('answers_meta');
    const created = fake.collections.get('sightline_answers_meta')?.created as { metadata: { sightline: { feature: object } } };
    created.metadata.sightline.feature = { featureUri: EXPECTED.featureUri };
    await expect(store.getCollection('answers_meta')).rejects.toMatchObject({
      code: 'STORE_DATA_INVALID',
      details: { collection: 'answers_meta', what: 'the collection metadata' },
    });
  });
});
