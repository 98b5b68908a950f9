import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import type { Filter } from '../../src/store/filter.ts';
import type { VectorStore } from '../../src/store/vector-store.ts';
import { BINDING, clustered, openingLog, uuid } from './ann-fixtures.ts';
import { referenceMatches } from './filter-reference.ts';

const POINTS = 3000;
const vectors = clustered(POINTS, 30, 7);
const queries = clustered(40, 30, 7).map((v) => v.map((x, i) => x + 0.3 * Math.sin(i + x)));
/** A tenth of the points are "rare", a half "even"; the rest neither. */
const payloadOf = (n: number) => ({ n, tag: n % 10 === 3 ? 'rare' : n % 2 === 0 ? 'even' : 'odd' });

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-ann-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A store that walks the graph whenever it may (Qdrant's full-scan threshold at 0). */
const graphStore = (dataDir: string, logger = silentLogger) =>
  createEmbeddedStore({ dataDir, features: [BINDING], logger, fullScanThresholdKb: 0 });

describe('embedded store: the HNSW index', () => {
  let dataDir: string;
  let store: VectorStore;

  beforeAll(async () => {
    dataDir = tempDir();
    store = graphStore(dataDir);
    await store.createCollection('clusters', { feature: BINDING, config: {} });
    await store.upsert(
      'clusters',
      vectors.map((vector, n) => ({ id: uuid(n), vector, payload: payloadOf(n) })),
    );
  });
  afterAll(() => store.close());

  it('finds at least 95 % of the exact top 10 on clustered vectors', async () => {
    let found = 0;
    for (const vector of queries) {
      const exact = new Set((await store.search('clusters', { vector, limit: 10, exact: true })).map((h) => h.id));
      const approximate = await store.search('clusters', { vector, limit: 10 });
      found += approximate.filter((h) => exact.has(h.id)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('scores graph hits with the exact cosine', async () => {
    const [query] = queries;
    const approximate = await store.search('clusters', { vector: query!, limit: 5 });
    const exact = await store.search('clusters', { vector: query!, limit: 50, exact: true });
    for (const hit of approximate) expect(exact.find((h) => h.id === hit.id)?.score).toBe(hit.score);
  });

  const filters: Array<[string, Filter]> = [
    ['half the points', { must: [{ key: 'tag', match: { value: 'even' } }] }],
    ['a tenth', { must: [{ key: 'tag', match: { value: 'rare' } }] }],
    ['a handful', { must: [{ key: 'n', range: { lt: 12 } }] }],
    ['none', { must: [{ key: 'tag', match: { value: 'absent' } }] }],
  ];

  it.each(filters)('returns only points matching a filter on %s, as many as asked while enough match', async (_, filter) => {
    const matching = vectors.flatMap((_, n) => (referenceMatches(payloadOf(n), uuid(n), filter) ? [uuid(n)] : []));
    for (const vector of queries.slice(0, 10)) {
      const hits = await store.search('clusters', { vector, filter, limit: 10 });
      expect(hits.every((h) => matching.includes(h.id))).toBe(true);
      expect(hits).toHaveLength(Math.min(10, matching.length));
    }
  });

  it.each(filters)('matches brute force exactly with a filter on %s when exact', async (_, filter) => {
    for (const vector of queries.slice(0, 5)) {
      const hits = await store.search('clusters', { vector, filter, limit: 10, exact: true });
      expect(hits.map((h) => h.id)).toEqual(bruteForce(vector, filter, 10));
    }
  });

  it('finds at least 95 % of the exact filtered top 10 when a filter on a tenth walks the graph', async () => {
    const filter = filters[1]![1];
    let found = 0;
    for (const vector of queries) {
      const exact = new Set((await store.search('clusters', { vector, filter, limit: 10, exact: true })).map((h) => h.id));
      const planned = await store.search('clusters', { vector, filter, limit: 10 });
      found += planned.filter((h) => exact.has(h.id)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('answers a repeated filter from the points as they are after each write', async () => {
    const rare: Filter = { must: [{ key: 'tag', match: { value: 'rare' } }] };
    const n = 4; // tag "even": outside the filter
    const vector = vectors[n]!;
    for (const exact of [true, false]) {
      expect((await store.search('clusters', { vector, filter: rare, limit: 10, exact })).map((h) => h.id)).not.toContain(uuid(n));
      await store.upsert('clusters', [{ id: uuid(n), vector, payload: { n, tag: 'rare' } }]);
      expect((await store.search('clusters', { vector, filter: rare, limit: 10, exact }))[0]?.id).toBe(uuid(n));
      expect(await store.count('clusters', rare)).toBe(POINTS / 10 + 1);
      await store.upsert('clusters', [{ id: uuid(n), vector, payload: payloadOf(n) }]);
      expect((await store.search('clusters', { vector, filter: rare, limit: 10, exact })).map((h) => h.id)).not.toContain(uuid(n));
    }
  });

  it('loads the saved index when reopened instead of rebuilding it', async () => {
    const dir = tempDir();
    const first = graphStore(dir);
    await first.createCollection('saved', { feature: BINDING, config: {} });
    await first.upsert(
      'saved',
      vectors.slice(0, 500).map((vector, n) => ({ id: uuid(n), vector, payload: {} })),
    );
    const before = await first.search('saved', { vector: queries[0]!, limit: 10 });
    await first.close();

    const { logger, opened } = openingLog();
    const second = graphStore(dir, logger);
    expect(await second.search('saved', { vector: queries[0]!, limit: 10 })).toEqual(before);
    expect(opened).toMatchObject([{ collection: 'saved', index: 'loaded', replayed: 0, points: 500 }]);
    await second.close();
  });

  it('forgets the points of a collection another process deleted and created again', async () => {
    const dir = tempDir();
    const server = graphStore(dir);
    const cli = graphStore(dir);
    await server.createCollection('again', { feature: BINDING, config: {} });
    await server.upsert('again', [1, 2].map((n) => ({ id: uuid(n), vector: vectors[n]!, payload: { generation: 1 } })));
    expect(await server.count('again')).toBe(2);
    await cli.deleteCollection('again');
    await cli.createCollection('again', { feature: BINDING, config: {} });
    await cli.upsert('again', [{ id: uuid(3), vector: vectors[3]!, payload: { generation: 2 } }]);
    for (const exact of [true, false]) {
      const hits = await server.search('again', { vector: vectors[1]!, limit: 10, exact });
      expect(hits.map((h) => h.id)).toEqual([uuid(3)]);
    }
    await Promise.all([server.close(), cli.close()]);
  });

  it('opens a collection with the event loop running, and is ready only once it is open', async () => {
    await store.close();
    store = graphStore(dataDir);
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    try {
      await store.count('clusters');
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

function bruteForce(query: Float32Array, filter: Filter, limit: number): string[] {
  const unit = (v: Float32Array) => {
    const norm = Math.hypot(...v);
    return Array.from(v, (x) => x / norm);
  };
  const q = unit(query);
  return vectors
    .map((v, n) => ({ id: uuid(n), n, score: unit(v).reduce((s, x, i) => s + x * q[i]!, 0) }))
    .filter(({ id, n }) => referenceMatches(payloadOf(n), id, filter))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map((h) => h.id);
}
