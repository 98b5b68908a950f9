/**
 * The embedded store keeps the matches of recently searched filters up to
 * date through writes (filter-matches.ts) instead of evaluating the filter
 * again. Whatever the writes (payloads that start or stop matching, new
 * points, deletes that move rows across blocks), a repeated filter must
 * answer from the points as they are now.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/extractor/model-generate/seeded-random.ts';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import type { Filter } from '../../src/store/filter.ts';
import type { VectorStore } from '../../src/store/vector-store.ts';
import { BINDING, clustered, uuid } from './ann-fixtures.ts';
import { referenceMatches } from './filter-reference.ts';

/** More than one block of the matrix (16 384 rows), so deletes move rows from one block into another. */
const POINTS = 20_000;
const vectors = clustered(POINTS + 2_000, 40, 3);
const queries = clustered(6, 40, 4);

const filters: Array<[string, Filter]> = [
  ['a tag', { must: [{ key: 'tag', match: { value: 'red' } }] }],
  ['a range and a negation', { must: [{ key: 'size', range: { gte: 10, lt: 30 } }], must_not: [{ key: 'tag', match: { value: 'blue' } }] }],
];

describe('embedded store: repeated filters through writes', () => {
  const random = seededRandom(99);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  type Tagged = { tag: string; size: number };
  const payload = (): Tagged => ({ tag: pick(['red', 'blue', 'green', 'grey']), size: Math.floor(random() * 100) });
  const live = new Map<string, { vector: Float32Array; payload: Tagged }>();
  let next = 0;
  let dataDir: string;
  let store: VectorStore;

  const expectedTop = (query: Float32Array, filter: Filter, limit: number) => {
    const scored = [...live].filter(([id, p]) => referenceMatches(p.payload, id, filter));
    const norm = (v: Float32Array) => Math.hypot(...v);
    const qn = norm(query);
    return {
      matching: new Set(scored.map(([id]) => id)),
      top: scored
        .map(([id, p]) => ({ id, score: p.vector.reduce((s, x, i) => s + x * query[i]!, 0) / (norm(p.vector) * qn) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map((h) => h.id),
    };
  };

  async function put(count: number): Promise<void> {
    const points = Array.from({ length: count }, () => ({ id: uuid(next), vector: vectors[next++]!, payload: payload() }));
    await store.upsert('c', points);
    for (const p of points) live.set(p.id, p);
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-filter-cache-'));
    // The graph answers every filter it can (threshold 0); `exact` asks for the filtered scan.
    store = createEmbeddedStore({ dataDir, features: [BINDING], logger: silentLogger, fullScanThresholdKb: 0 });
    await store.createCollection('c', { feature: BINDING, config: {} });
    await put(POINTS);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers from the points as they are after payload changes, new points and deletes', async () => {
    for (let round = 0; round < 6; round++) {
      for (const [name, filter] of filters) {
        for (const vector of queries) {
          const { matching, top } = expectedTop(vector, filter, 20);
          const scanned = await store.search('c', { vector, filter, limit: 20, exact: true });
          expect(scanned.map((h) => h.id), `${name}, round ${round}`).toEqual(top);
          const walked = await store.search('c', { vector, filter, limit: 20 });
          expect(walked.filter((h) => !matching.has(h.id)), `${name}, round ${round}`).toEqual([]);
          expect(walked).toHaveLength(Math.min(20, matching.size));
        }
      }
      const ids = [...live.keys()];
      const changed = Array.from({ length: 300 }, () => pick(ids)).map((id) => ({ id, vector: live.get(id)!.vector, payload: payload() }));
      await store.upsert('c', changed);
      for (const p of changed) live.set(p.id, p);
      const gone = [...new Set(Array.from({ length: 300 }, () => pick(ids)))].filter((id) => !changed.some((p) => p.id === id));
      await store.delete('c', { ids: gone });
      for (const id of gone) live.delete(id);
      await put(300);
    }
  });
});
