/**
 * The embedded store scores int8 codes first and rescores in float32 only
 * what their error bound cannot rule out (int8-codes.ts). These points
 * differ from each other far below what int8 can tell apart, so any answer
 * taken from the codes alone would be wrong; exact search must still match
 * a float64 brute force over the float32 vectors. The codes live in a file,
 * so a write can fail (a full disk): the open collection must stay whole.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../src/extractor/model-generate/seeded-random.ts';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import type { FeatureBinding, VectorStore } from '../../src/store/vector-store.ts';
import { uuid } from './ann-fixtures.ts';

const DIM = 768;
const BINDING: FeatureBinding = { featureUri: 'test://exact', vectorName: 'v', dimensions: DIM, distance: 'cosine' };
const random = seededRandom(5);
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const base = Float32Array.from({ length: DIM }, gauss);
/** Near-duplicates of one vector (cosines to each other above 0.9999) and, for every tenth, an unrelated one. */
const vectors = Array.from({ length: 3000 }, (_, n) =>
  n % 10 === 9 ? Float32Array.from({ length: DIM }, gauss) : base.map((x) => x + 0.01 * gauss()),
);
const queries = Array.from({ length: 8 }, () => base.map((x) => x + 0.05 * gauss()));

function unit(v: Float32Array): Float64Array {
  const norm = Math.hypot(...v);
  return Float64Array.from(v, (x) => x / norm);
}

const units = vectors.map(unit);

/** Float64 cosines of every point to `query`, best first. */
function bruteForce(query: Float32Array, keep: (n: number) => boolean): Array<{ id: string; score: number }> {
  const q = unit(query);
  return units
    .map((v, n) => ({ n, score: v.reduce((s, x, i) => s + x * q[i]!, 0) }))
    .filter(({ n }) => keep(n))
    .sort((a, b) => b.score - a.score)
    .map(({ n, score }) => ({ id: uuid(n), score }));
}

/** `hits` are a true top `k` of `truth`: each scores within rounding of its rank's true score. */
function expectTopK(hits: Array<{ id: string; score: number }>, truth: Array<{ id: string; score: number }>, k: number): void {
  expect(hits).toHaveLength(Math.min(k, truth.length));
  const scoreOf = new Map(truth.map((t) => [t.id, t.score]));
  hits.forEach((hit, rank) => {
    expect(Math.abs(scoreOf.get(hit.id)! - truth[rank]!.score)).toBeLessThan(1e-6);
    expect(Math.abs(hit.score - truth[rank]!.score)).toBeLessThan(1e-6);
  });
}

describe('embedded store: exact search over points int8 cannot tell apart', () => {
  let dir: string;
  let store: VectorStore;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-exact-'));
    store = createEmbeddedStore({ dataDir: dir, features: [BINDING], logger: silentLogger });
    await store.createCollection('near', { feature: BINDING, config: {} });
    await store.upsert(
      'near',
      vectors.map((vector, n) => ({ id: uuid(n), vector, payload: { third: n % 3 } })),
    );
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('returns the float32 top 10 in order, with exact scores', async () => {
    for (const vector of queries) {
      expectTopK(await store.search('near', { vector, limit: 10, exact: true }), bruteForce(vector, () => true), 10);
    }
  });

  it('pages and filters exactly too', async () => {
    for (const vector of queries) {
      const truth = bruteForce(vector, (n) => n % 3 === 1);
      const page = await store.search('near', { vector, limit: 5, offset: 20, exact: true, filter: { must: [{ key: 'third', match: { value: 1 } }] } });
      expectTopK(page, truth.slice(20), 5);
    }
  });

  it('keeps hits strictly above a score threshold set between near-ties', async () => {
    const [vector] = queries;
    const truth = bruteForce(vector!, () => true);
    const threshold = (truth[6]!.score + truth[7]!.score) / 2;
    const hits = await store.search('near', { vector: vector!, limit: 50, exact: true, scoreThreshold: threshold });
    expectTopK(hits, truth, 7);
  });

  it('keeps the codes out of the data folder: their file is unlinked while open', () => {
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.rows-'))).toEqual([]);
  });
});

describe('embedded store: a failed write of the codes (a full disk)', () => {
  const fullDisk = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const failures: Array<[string, () => number, RegExp | Error]> = [
    ['the write throws ENOSPC', () => { throw fullDisk; }, fullDisk],
    ['the write takes only part of the row', () => 100, /wrote 100 of/],
  ];

  it.each(failures)('leaves the open collection as it was when %s, and a retry stores the point', async (_, fail, rejection) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-enospc-'));
    const store = createEmbeddedStore({ dataDir: dir, features: [BINDING], logger: silentLogger });
    try {
      await store.createCollection('full', { feature: BINDING, config: {} });
      await store.upsert('full', [{ id: uuid(1), vector: vectors[0]!, payload: { n: 1 } }]);
      const write = vi.spyOn(fs, 'writeSync').mockImplementationOnce(fail);
      const failed = store.upsert('full', [{ id: uuid(2), vector: vectors[1]!, payload: { n: 2 } }]);
      await (rejection instanceof RegExp ? expect(failed).rejects.toThrow(rejection) : expect(failed).rejects.toBe(rejection));
      write.mockRestore();
      const hits = await store.search('full', { vector: vectors[1]!, limit: 10, exact: true });
      expect(hits.map((h) => h.id)).toEqual([uuid(1)]);
      await store.upsert('full', [{ id: uuid(2), vector: vectors[1]!, payload: { n: 2 } }]);
      const after = await store.search('full', { vector: vectors[1]!, limit: 1, exact: true });
      expect(after[0]).toMatchObject({ id: uuid(2), payload: { n: 2 } });
      expect(after[0]!.score).toBeCloseTo(1, 6);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
