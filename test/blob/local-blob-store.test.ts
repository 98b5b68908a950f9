import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobUrl } from '../../src/blob/blob-store.ts';
import { createLocalBlobStore, resolveLocalBlobPath } from '../../src/blob/local-blob-store.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-blobs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createLocalBlobStore', () => {
  it('writes the bytes under the key and returns the URL the server serves them at', async () => {
    const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://localhost:4000/thumbnails/' });
    const res = await store.put('products/thumb 001.jpg', Buffer.from('jpeg'), 'image/jpeg');
    expect(res.url).toBe('http://localhost:4000/thumbnails/products/thumb%20001.jpg');
    expect(await readFile(path.join(dir, 'products', 'thumb 001.jpg'), 'utf8')).toBe('jpeg');
  });

  it('uses the CDN base URL when one is configured', async () => {
    const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://localhost:4000/thumbnails', cdnBaseUrl: 'https://cdn.example.com/t' });
    await expect(store.put('a.jpg', Buffer.from('x'), 'image/jpeg')).resolves.toEqual({ url: 'https://cdn.example.com/t/a.jpg' });
  });

  it('replaces an earlier blob and leaves no temporary files behind', async () => {
    const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://h/thumbnails' });
    await store.put('c/a.jpg', Buffer.from('first'), 'image/jpeg');
    await store.put('c/a.jpg', Buffer.from('second'), 'image/jpeg');
    expect(await readFile(path.join(dir, 'c', 'a.jpg'), 'utf8')).toBe('second');
    expect(await readdir(path.join(dir, 'c'))).toEqual(['a.jpg']);
  });

  it('reads a blob back, and answers null for a missing key or a folder', async () => {
    const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://h/thumbnails' });
    await store.put('c/a.jpg', Buffer.from('jpeg'), 'image/jpeg');
    await expect(store.get('c/a.jpg')).resolves.toEqual({ data: Buffer.from('jpeg'), contentType: 'image/jpeg' });
    await expect(store.get('c/missing.jpg')).resolves.toBeNull();
    await expect(store.get('c')).resolves.toBeNull();
    await expect(store.get('c/a.jpg/deeper')).resolves.toBeNull();
  });

  it('deletes blobs by key and a whole folder by prefix, leaving others', async () => {
    const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://h/thumbnails' });
    for (const key of ['c/a.jpg', 'c/b.jpg', 'c/d.jpg', 'c2/a.jpg', 'other/a.jpg']) await store.put(key, Buffer.from(key), 'image/jpeg');
    await store.delete(['c/a.jpg', 'c/never-written.jpg']);
    expect(await store.get('c/a.jpg')).toBeNull();
    expect(await store.get('c/b.jpg')).not.toBeNull();
    await store.deletePrefix('c');
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['c2', 'other']));
    expect(await readdir(dir)).not.toContain('c');
    expect(await store.get('c2/a.jpg')).not.toBeNull();
    await expect(store.deletePrefix('c')).resolves.toBeUndefined();
  });

  it.each(['..', '../x', 'a/..', ''])('refuses to delete under the prefix %j', async (prefix) => {
    const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://h/thumbnails' });
    await expect(store.deletePrefix(prefix)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(store.delete([prefix])).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it.each(['../escape.jpg', 'a/../../escape.jpg', '/etc/passwd', 'a//b.jpg', 'a\\..\\b.jpg', '', './a.jpg'])(
    'refuses the key %j without writing anything',
    async (key) => {
      const store = createLocalBlobStore({ dir, publicBaseUrl: 'http://h/thumbnails' });
      await expect(store.put(key, Buffer.from('x'), 'image/jpeg')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('reports an unwritable folder as BLOB_STORE_FAILED', async () => {
    const file = path.join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const store = createLocalBlobStore({ dir: file, publicBaseUrl: 'http://h/thumbnails' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'BLOB_STORE_FAILED' });
    await expect(store.put('a.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toMatchObject({ code: 'BLOB_STORE_FAILED' });
  });

  it('pings a writable folder, creating it', async () => {
    const store = createLocalBlobStore({ dir: path.join(dir, 'new', 'thumbs'), publicBaseUrl: 'http://h/thumbnails' });
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('resolveLocalBlobPath', () => {
  it('maps a key to a file inside the folder', () => {
    expect(resolveLocalBlobPath(dir, 'c/a.jpg')).toBe(path.join(dir, 'c', 'a.jpg'));
  });

  it.each(['..', '../x', 'c/../../x', 'c/./x', 'x\u0000.jpg'])('refuses %j', (key) => {
    expect(() => resolveLocalBlobPath(dir, key)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('blobUrl', () => {
  it('joins base and key with one slash and encodes each segment', () => {
    expect(blobUrl('https://cdn.example.com/', 'thumbnails/a b#1.jpg')).toBe('https://cdn.example.com/thumbnails/a%20b%231.jpg');
    expect(blobUrl('https://cdn.example.com', 'x.jpg')).toBe('https://cdn.example.com/x.jpg');
  });
});
