import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { seededRandom } from '../../src/extractor/model-generate/seeded-random.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import type { PointInput, VectorStore } from '../../src/store/vector-store.ts';

// Small vectors keep the collection quick to fill; the scan's chunking is by rows.
const DIM = 8;
const BINDING = { featureUri: 'test://yield', vectorName: 'v', dimensions: DIM, distance: 'cosine' as const };
const ROWS = 40_000;

const id = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
// Random directions in 8 dimensions: every point's nearest neighbour is itself.
const vectorOf = (i: number) => {
  const random = seededRandom(i + 1);
  return Float32Array.from({ length: DIM }, () => random() - 0.5);
};

describe('embedded store: long scans', () => {
  let dir: string;
  let store: VectorStore;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-scan-'));
    store = createEmbeddedStore({ dataDir: dir, features: [BINDING], logger: silentLogger });
    await store.createCollection('big', { feature: BINDING, config: {} });
    const points: PointInput[] = Array.from({ length: ROWS }, (_, i) => ({ id: id(i), vector: vectorOf(i), payload: { i } }));
    await store.upsert('big', points);
  });
  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lets the event loop run during a scan and still finds the exact nearest point', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const search = store.search('big', { vector: vectorOf(31_337), limit: 3 });
    const [first] = await search;
    clearInterval(ticker);
    expect(first?.id).toBe(id(31_337));
    expect(first?.score).toBeCloseTo(1, 5);
    expect(ticks).toBeGreaterThan(0);
  });

  it('stays exact when a delete moves rows in the middle of a scan', async () => {
    const target = 39_999; // the last row: a delete elsewhere moves it into the hole
    const search = store.search('big', { vector: vectorOf(target), limit: 1 });
    await new Promise((r) => setImmediate(r));
    await store.delete('big', { ids: [id(5)] });
    const [hit] = await search;
    expect(hit?.id).toBe(id(target));
    expect(hit?.payload).toEqual({ i: target });
  });
});
