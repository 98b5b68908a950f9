import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { EXPECTED, id, vec } from './conformance.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A data folder holding collection `c` with one point, then `damage` run on its SQLite file directly. */
async function damagedStore(damage: string, ...params: unknown[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-damaged-'));
  dirs.push(dataDir);
  const writer = createEmbeddedStore({ dataDir, features: [EXPECTED], logger: silentLogger });
  await writer.createCollection('c', { feature: EXPECTED, config: { version: 'v1' } });
  await writer.upsert('c', [{ id: id(1), vector: vec(1), payload: { sku: 'A' } }]);
  await writer.close();
  const db = new Database(path.join(dataDir, 'sightline.db'));
  db.prepare(damage).run(...params);
  db.close();
  fs.rmSync(path.join(dataDir, 'ann'), { recursive: true, force: true });
  return createEmbeddedStore({ dataDir, features: [EXPECTED], logger: silentLogger });
}

describe('embedded store reading back damaged rows', () => {
  it('refuses a payload that is not a JSON object with STORE_DATA_INVALID naming the point', async () => {
    for (const payload of ['{"sku": "A"', '[1, 2]', 'null']) {
      const store = await damagedStore('UPDATE points SET payload = ?', payload);
      await expect(store.get('c', [id(1)])).rejects.toMatchObject({
        code: 'STORE_DATA_INVALID',
        details: { collection: 'c', what: `the payload of point ${id(1)}` },
      });
      await store.close();
    }
  });

  it('refuses a vector of the wrong length instead of scoring garbage', async () => {
    const store = await damagedStore('UPDATE points SET vector = ?', Buffer.alloc(12));
    await expect(store.search('c', { vector: vec(1), limit: 1 })).rejects.toMatchObject({
      code: 'STORE_DATA_INVALID',
      details: { collection: 'c', what: `the vector of point ${id(1)}` },
    });
    await store.close();
  });

  it('refuses a collection whose recorded feature binding or configuration is damaged', async () => {
    const noWidth = JSON.stringify({ ...EXPECTED, dimensions: 'wide' });
    const badBinding = await damagedStore('UPDATE collections SET feature = ?', noWidth);
    await expect(badBinding.getCollection('c')).rejects.toMatchObject({
      code: 'STORE_DATA_INVALID',
      details: { collection: 'c', what: 'the feature binding' },
    });
    await expect(badBinding.count('c')).rejects.toMatchObject({ code: 'STORE_DATA_INVALID' });
    await badBinding.close();

    const badConfig = await damagedStore("UPDATE collections SET config = '\"v1\"'");
    await expect(badConfig.listCollections()).rejects.toMatchObject({
      code: 'STORE_DATA_INVALID',
      details: { collection: 'c', what: 'the extractor configuration' },
    });
    await badConfig.close();
  });
});
