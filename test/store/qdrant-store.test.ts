import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQdrantStore, type QdrantStoreOptions } from '../../src/store/qdrant-store.ts';
import { EXPECTED, id, vec, vectorStoreConformance } from './conformance.ts';
import { qdrantReplies, startFakeQdrant, type FakeQdrant } from './fake-qdrant.ts';

const url = process.env.QDRANT_URL;
const apiKey = process.env.QDRANT_API_KEY;
function settings(env: Record<string, string> = {}) {
  const store = loadConfig({ QDRANT_URL: 'http://qdrant', ...env }).store;
  if (store.kind !== 'qdrant') throw new Error('QDRANT_URL chooses Qdrant');
  return store.settings;
}

describe.skipIf(!url)(url ? 'qdrant store' : 'qdrant store (skipped: QDRANT_URL not set)', () => {
  vectorStoreConformance('qdrant', (features) => createQdrantStore({ url: url!, apiKey, features, logger: silentLogger, settings: settings() }));
});

let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(() => fake.close());
afterEach(() => {
  // Every request the adapter made is one Qdrant v1.18's OpenAPI document accepts.
  expect(fake.violations.splice(0)).toEqual([]);
});

const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 20_000 };
const open = (opts: Partial<QdrantStoreOptions> = {}) =>
  createQdrantStore({ url: fake.url, features: [EXPECTED], logger: silentLogger, settings: settings(), retry: fastRetry, ...opts });
const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (err: { code?: string }) => err.code);

describe('qdrant store against the specification-checking fake', () => {
  vectorStoreConformance('qdrant (fake)', (features) => open({ features }));
});

describe('the specification-checking fake', () => {
  it('records a request that Qdrant v1.18 would refuse', async () => {
    await fetch(`${fake.url}/collections/x/points/count?consistency=most`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ exact: 'yes', filter: { must: [{ key: 'a', match: { value: 1 }, typo: true }] } }),
    });
    const found = fake.violations.splice(0).join('\n');
    expect(found).toContain('?consistency');
    expect(found).toContain('/exact');
    expect(found).toContain('typo');
  });

  it('answers a broken bound with 422 and a wrong shape with 400, as Qdrant does', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/collections/x/points/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ limit: 0 })).status).toBe(422);
    expect((await post({ limit: 'ten' })).status).toBe(400);
    expect(fake.violations.splice(0)).toHaveLength(2);
  });
});

describe('qdrant store failure handling', () => {
  const withCollection = async (opts: Partial<QdrantStoreOptions> = {}) => {
    const store = open(opts);
    const name = `t_${Math.random().toString(36).slice(2, 10)}`;
    await store.createCollection(name, { feature: EXPECTED, config: {} });
    return { store, name };
  };

  it('retries upserts through 503, 408 and a 429 with Retry-After, in bounded requests', async () => {
    const { store, name } = await withCollection();
    const path = new RegExp(`/collections/sightline_${name}/points$`);
    fake.fail({ method: 'PUT', path, times: 1, reply: qdrantReplies.unavailable() });
    fake.fail({ method: 'PUT', path, times: 1, reply: qdrantReplies.timeout() });
    fake.fail({ method: 'PUT', path, times: 1, reply: qdrantReplies.rateLimited(0) });
    const points = Array.from({ length: 600 }, (_, n) => ({ id: id(n + 1), vector: vec(1, n), payload: { n } }));
    await store.upsert(name, points);
    const upserts = fake.requests.filter((r) => r.method === 'PUT' && path.test(r.path));
    expect(upserts.map((r) => (r.body as { points: unknown[] }).points.length)).toEqual([256, 256, 256, 256, 256, 88]);
    expect(upserts.every((r) => r.query.wait === 'true' && r.query.ordering === 'medium')).toBe(true);
    expect(await store.count(name)).toBe(600);
  });

  it('reads Retry-After in whole seconds and gives up at once when it is longer than it may wait', async () => {
    const { store, name } = await withCollection();
    // qdrant-js would read "30" as 3 s and retry; 30 s is past this policy's 20 s.
    fake.fail({ path: /\/points\/count$/, times: 1, reply: qdrantReplies.rateLimited(30) });
    const err = await store.count(name).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', details: { status: 429, retryAfterMs: 30_000 } });
  });

  it('tells locked storage from a key without permission on a 403', async () => {
    const { store, name } = await withCollection();
    const write = () => store.upsert(name, [{ id: id(1), vector: vec(1), payload: {} }]);
    fake.fail({ method: 'PUT', path: /\/points$/, times: 1, reply: qdrantReplies.locked() });
    await expect(write()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', details: { status: 403, reason: 'locked' } });
    fake.fail({ method: 'PUT', path: /\/points$/, times: 1, reply: qdrantReplies.forbidden() });
    await expect(write()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', details: { status: 403, reason: 'permission' } });
    fake.fail({ method: 'PUT', path: /\/points$/, times: 1, reply: { status: 403, text: 'Access to collection x is required' } });
    await expect(write()).rejects.toMatchObject({ details: { reason: 'permission' } });
  });

  it('sends Qdrant a server-side timeout on index creation and delete by filter', async () => {
    const { store, name } = await withCollection({ longCallTimeoutS: 300 });
    await store.upsert(name, [{ id: id(1), vector: vec(1), payload: { brand: 'x' } }]);
    await store.ensurePayloadIndexes(name, [{ key: 'brand', type: 'keyword' }]);
    expect(await store.delete(name, { filter: { must: [{ key: 'brand', match: { value: 'x' } }] } })).toBe(1);
    const long = fake.requests.filter((r) => r.path.startsWith(`/collections/sightline_${name}/`) && /\/index$|\/delete$/.test(r.path));
    expect(long.map((r) => r.query)).toEqual([
      { wait: 'true', ordering: 'medium', timeout: '300' },
      { wait: 'true', ordering: 'medium', timeout: '300' },
    ]);
    expect(fake.collections.get(`sightline_${name}`)!.payloadSchema.brand).toMatchObject({ data_type: 'keyword' });
  });

  it('waits past the per-call timeout for a long call that Qdrant is still working on', async () => {
    const { store, name } = await withCollection({ timeoutMs: 200, longCallTimeoutS: 1, retry: { ...fastRetry, attempts: 1 } });
    const slow = { status: 200, json: { result: { operation_id: 1, status: 'completed' }, status: 'ok', time: 0.6 }, delayMs: 600 };
    fake.fail({ method: 'PUT', path: /\/index$/, times: 1, reply: slow });
    await expect(store.ensurePayloadIndexes(name, [{ key: 'brand', type: 'keyword' }])).resolves.toBeUndefined();
    fake.fail({ path: /\/points\/count$/, times: 1, reply: { ...slow, json: { result: { count: 0 }, status: 'ok', time: 0.6 } } });
    await expect(store.count(name)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', details: { timeoutMs: 200 } });
  });

  it('maps a missing collection to COLLECTION_NOT_FOUND and truncates error bodies', async () => {
    const { store, name } = await withCollection();
    expect(await store.getCollection('gone')).toBeUndefined();
    await expect(store.search('gone', { vector: vec(1), limit: 1 })).rejects.toMatchObject({ code: 'COLLECTION_NOT_FOUND' });
    fake.fail({ path: /\/points\/query$/, times: 1, reply: qdrantReplies.error(400, `Bad request: ${'x'.repeat(5000)}`) });
    const err = await store.search(name, { vector: vec(1), limit: 1 }).catch((e: Error) => e);
    // Requests are validated before Qdrant sees them: its refusal is Sightline's bug, masked for clients.
    expect(err).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect((err as Error).message.length).toBeLessThan(400);
  });

  it('refuses a Qdrant collection that records no Sightline feature', async () => {
    const store = open();
    await store.createCollection('foreign_base', { feature: EXPECTED, config: {} });
    const made = fake.collections.get('sightline_foreign_base')!;
    fake.collections.set('sightline_foreign', { ...made, created: { ...made.created, metadata: null } });
    await expect(store.getCollection('foreign')).rejects.toMatchObject({ code: 'FEATURE_MISMATCH' });
    await expect(store.count('foreign')).rejects.toMatchObject({ code: 'FEATURE_MISMATCH' });
    fake.collections.delete('sightline_foreign');
    await store.deleteCollection('foreign_base');
  });

  it('reports STORE_UNAVAILABLE when nothing answers', async () => {
    const gone = await startFakeQdrant();
    await gone.close();
    const store = createQdrantStore({ url: gone.url, features: [EXPECTED], logger: silentLogger, settings: settings(), retry: fastRetry });
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.listCollections()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('qdrant store readiness and version', () => {
  it('is not ready with a wrong API key, though GET / answers without one', async () => {
    const guarded = await startFakeQdrant({ apiKey: 'right' });
    try {
      const wrong = createQdrantStore({ url: guarded.url, apiKey: 'wrong', features: [EXPECTED], logger: silentLogger, settings: settings(), retry: fastRetry });
      await expect(wrong.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', details: { status: 401 } });
      const right = createQdrantStore({ url: guarded.url, apiKey: 'right', features: [EXPECTED], logger: silentLogger, settings: settings(), retry: fastRetry });
      await expect(right.ping()).resolves.toBeUndefined();
      expect(guarded.violations).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it.each([
    ['1.16.3', 'STORE_VERSION_UNSUPPORTED'],
    ['1.17.0', 'resolved'],
    ['1.18.3', 'resolved'],
    ['1.19.2', 'resolved'],
    ['1.20.0', 'STORE_VERSION_UNSUPPORTED'],
    ['2.18.0', 'STORE_VERSION_UNSUPPORTED'],
  ])('speaks to Qdrant %s: %s', async (version, outcome) => {
    const server = await startFakeQdrant({ version });
    try {
      const store = createQdrantStore({ url: server.url, features: [EXPECTED], logger: silentLogger, settings: settings(), retry: fastRetry });
      expect(await codeOf(store.listCollections())).toBe(outcome);
      expect(await codeOf(store.ping())).toBe(outcome);
    } finally {
      await server.close();
    }
  });
});

describe('qdrant store production settings', () => {
  it('creates collections with the configured shards, replicas, storage, HNSW and quantization', async () => {
    const env = {
      QDRANT_SHARD_NUMBER: '6',
      QDRANT_REPLICATION_FACTOR: '2',
      QDRANT_WRITE_CONSISTENCY_FACTOR: '2',
      QDRANT_ON_DISK_VECTORS: 'true',
      QDRANT_HNSW_M: '32',
      QDRANT_HNSW_EF_CONSTRUCT: '256',
    };
    const store = open({ settings: settings(env) });
    await store.createCollection('prod', { feature: EXPECTED, config: {} });
    expect(fake.collections.get('sightline_prod')!.created).toMatchObject({
      vectors: { [EXPECTED.vectorName]: { size: 768, distance: 'Cosine', on_disk: true } },
      shard_number: 6,
      replication_factor: 2,
      write_consistency_factor: 2,
      on_disk_payload: true,
      hnsw_config: { m: 32, ef_construct: 256 },
      quantization_config: { scalar: { type: 'int8', always_ram: true } },
    });
    await store.count('prod');
    const count = fake.requests.filter((r) => r.path === '/collections/sightline_prod/points/count').at(-1)!;
    // Replicated: a read reaches a majority of replicas, so it sees what a write just did.
    expect(count.query.consistency).toBe('majority');
    await store.deleteCollection('prod');
  });

  it('sends exact, hnsw_ef and the quantization knobs with a search', async () => {
    const store = open();
    await store.createCollection('knobs', { feature: EXPECTED, config: {} });
    await store.search('knobs', { vector: vec(1), limit: 3, exact: true, hnswEf: 256, rescore: true, oversampling: 2 });
    await store.search('knobs', { vector: vec(1), limit: 3 });
    const queries = fake.requests.filter((r) => r.path === '/collections/sightline_knobs/points/query').map((r) => (r.body as { params: unknown }).params);
    expect(queries).toEqual([{ exact: true, hnsw_ef: 256, quantization: { rescore: true, oversampling: 2 } }, { exact: false }]);
    await store.deleteCollection('knobs');
  });
});
