import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, createThumbnailStorage, lazyS3Client } from '../../src/app/adapters.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { startS3Server, type S3TestServer } from '../fixtures/s3-server.ts';
import { EXPECTED } from '../store/conformance.ts';
import { startFakeQdrant, type FakeQdrant } from '../store/fake-qdrant.ts';
import { s3Environment } from './harness.ts';

let dir: string;
let qdrant: FakeQdrant;
let s3: S3TestServer;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-adapters-'));
  [qdrant, s3] = await Promise.all([startFakeQdrant(), startS3Server()]);
});
afterAll(async () => {
  await Promise.all([qdrant.close(), s3.close(), fs.rm(dir, { recursive: true, force: true })]);
});

const noS3 = () => {
  throw new Error('local thumbnails never reach S3');
};

describe('createStore', () => {
  it('opens the embedded store in DATA_DIR when no Qdrant is configured', async () => {
    const dataDir = path.join(dir, 'embedded');
    const store = createStore(loadConfig({ DATA_DIR: dataDir }).store, [EXPECTED], silentLogger);
    await store.createCollection('adapters-embedded', { feature: EXPECTED, config: {} });
    await store.close();
    await expect(fs.stat(path.join(dataDir, 'sightline.db'))).resolves.toBeDefined();
    expect(qdrant.requests.filter((r) => r.path.includes('adapters-embedded'))).toEqual([]);
  });

  it('talks to Qdrant at QDRANT_URL when it is configured', async () => {
    const dataDir = path.join(dir, 'beside-qdrant');
    const store = createStore(loadConfig({ DATA_DIR: dataDir, QDRANT_URL: qdrant.url }).store, [EXPECTED], silentLogger);
    await store.createCollection('adapters-qdrant', { feature: EXPECTED, config: {} });
    await store.close();
    expect(qdrant.requests.some((r) => r.method === 'PUT' && r.path.includes('adapters-qdrant'))).toBe(true);
    await expect(fs.stat(path.join(dataDir, 'sightline.db'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('createThumbnailStorage', () => {
  it('writes into THUMBNAIL_DIR and hands back the server-served URL for local storage', async () => {
    const thumbDir = path.join(dir, 'thumbs');
    const config = loadConfig({ THUMBNAIL_DIR: thumbDir, PUBLIC_BASE_URL: 'http://sightline.test' });
    const { url } = await createThumbnailStorage(config.thumbnails, noS3, 1000).put('c/a.jpg', Buffer.from('jpeg'), 'image/jpeg');
    expect(url).toBe('http://sightline.test/thumbnails/c/a.jpg');
    expect(await fs.readFile(path.join(thumbDir, 'c', 'a.jpg'), 'utf8')).toBe('jpeg');
  });

  it('writes into the bucket under the prefix through the shared S3 client for S3 storage', async () => {
    const bucket = await s3.freshBucket('adapter-thumbs');
    const config = loadConfig({ ...s3Environment(s3), THUMBNAIL_STORAGE: 's3', THUMBNAIL_S3_BUCKET: bucket, THUMBNAIL_S3_PREFIX: 'tn/' });
    const storage = createThumbnailStorage(config.thumbnails, lazyS3Client(config), 5000);
    const { url } = await storage.put('c/a.jpg', Buffer.from('jpeg'), 'image/jpeg');
    expect(url).toBe(`s3://${bucket}/tn/c/a.jpg`);
    expect((await storage.get('c/a.jpg'))?.data.toString()).toBe('jpeg');
  });
});

describe('lazyS3Client', () => {
  it('builds one client on first use and hands the same one to every caller', () => {
    const client = lazyS3Client(loadConfig(s3Environment(s3)));
    expect(client()).toBe(client());
  });
});
