import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { EXPECTED, id, vec, vectorStoreConformance } from './conformance.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const shared = tempDir();
vectorStoreConformance('embedded', (features) => createEmbeddedStore({ dataDir: shared, features, logger: silentLogger }));

describe('embedded store', () => {
  it('breaks score ties by id, whatever the insertion order', async () => {
    const store = createEmbeddedStore({ dataDir: tempDir(), features: [EXPECTED], logger: silentLogger });
    await store.createCollection('ties', { feature: EXPECTED, config: {} });
    await store.upsert('ties', [5, 2, 9, 1].map((n) => ({ id: id(n), vector: vec(1), payload: {} })));
    const hits = await store.search('ties', { vector: vec(1), limit: 3 });
    expect(hits.map((h) => h.id)).toEqual([id(1), id(2), id(5)]);
    await store.close();
  });

  it('sees points another process wrote to the same folder', async () => {
    const dataDir = tempDir();
    const server = createEmbeddedStore({ dataDir, features: [EXPECTED], logger: silentLogger });
    const cli = createEmbeddedStore({ dataDir, features: [EXPECTED], logger: silentLogger });
    await server.createCollection('shared', { feature: EXPECTED, config: {} });
    expect(await server.count('shared')).toBe(0);
    await cli.upsert('shared', [{ id: id(1), vector: vec(1), payload: { by: 'cli' } }]);
    expect((await server.search('shared', { vector: vec(1), limit: 1 }))[0]?.payload).toEqual({ by: 'cli' });
    await Promise.all([server.close(), cli.close()]);
  });

  it('reports STORE_UNAVAILABLE once closed', async () => {
    const store = createEmbeddedStore({ dataDir: tempDir(), features: [EXPECTED], logger: silentLogger });
    await store.ping();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
