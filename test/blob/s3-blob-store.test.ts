import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '../../src/blob/s3-blob-store.ts';
import { createS3Client } from '../../src/blob/s3-client.ts';
import { startS3Server } from '../fixtures/s3-server.ts';
import type { S3TestServer } from '../fixtures/s3-server.ts';

let s3: S3TestServer;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  client = createS3Client(s3.config());
});
afterAll(async () => {
  client.destroy();
  await s3.close();
});

const freshBucket = () => s3.freshBucket('blob-test');

describe('createS3BlobStore', () => {
  it('puts the object under the prefix with its content type and a long cache lifetime', async () => {
    const bucket = await freshBucket();
    const store = createS3BlobStore({ client, bucket, prefix: 'thumbnails/' });
    const jpeg = Buffer.from('thumbnail jpeg bytes');
    const res = await store.put('ns_123/thumb_001.jpg', jpeg, 'image/jpeg');
    expect(res.url).toBe(`s3://${bucket}/thumbnails/ns_123/thumb_001.jpg`);

    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'thumbnails/ns_123/thumb_001.jpg' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(jpeg)).toBe(true);
    expect(got.ContentType).toBe('image/jpeg');
    expect(got.CacheControl).toMatch(/max-age=\d{6,}/);
  });

  it('returns a CDN URL when a CDN base URL is configured', async () => {
    const bucket = await freshBucket();
    const store = createS3BlobStore({ client, bucket, prefix: 'thumbs', cdnBaseUrl: 'https://cdn.example.com/' });
    const res = await store.put('c/a b.jpg', Buffer.from('x'), 'image/jpeg');
    expect(res.url).toBe('https://cdn.example.com/thumbs/c/a%20b.jpg');
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'thumbs/c/a b.jpg' }))).resolves.toBeDefined();
  });

  it('reads an object back, and answers null for a missing key or a folder', async () => {
    const bucket = await freshBucket();
    const store = createS3BlobStore({ client, bucket, prefix: 'thumbnails/' });
    await store.put('c/a.jpg', Buffer.from('jpeg'), 'image/jpeg');
    await expect(store.get('c/a.jpg')).resolves.toEqual({ data: Buffer.from('jpeg'), contentType: 'image/jpeg' });
    await expect(store.get('c/missing.jpg')).resolves.toBeNull();
    await expect(store.get('c')).resolves.toBeNull();
  });

  it('deletes objects by key and a whole folder by prefix, leaving others', async () => {
    const bucket = await freshBucket();
    const store = createS3BlobStore({ client, bucket, prefix: 'thumbnails/' });
    const many = Array.from({ length: 30 }, (_, i) => `c/${i}.jpg`);
    for (const key of [...many, 'c2/a.jpg', 'other/a.jpg']) await s3.putObject(bucket, `thumbnails/${key}`, Buffer.from('x'));
    await store.delete(['c/0.jpg', 'c/never-written.jpg']);
    expect(await store.get('c/0.jpg')).toBeNull();
    expect(await store.get('c/1.jpg')).not.toBeNull();
    await store.deletePrefix('c');
    const left = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((left.Contents ?? []).map((o) => o.Key).sort()).toEqual(['thumbnails/c2/a.jpg', 'thumbnails/other/a.jpg']);
  });

  it('refuses keys with .. segments', async () => {
    const store = createS3BlobStore({ client, bucket: await freshBucket(), prefix: 'thumbnails/' });
    await expect(store.put('../outside.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('pings an existing bucket and reports a missing one as BLOB_STORE_FAILED', async () => {
    await expect(createS3BlobStore({ client, bucket: await freshBucket(), prefix: '' }).ping()).resolves.toBeUndefined();
    const missing = createS3BlobStore({ client, bucket: 'no-such-thumbnails', prefix: '' });
    await expect(missing.ping()).rejects.toMatchObject({ code: 'BLOB_STORE_FAILED' });
    await expect(missing.put('a.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toMatchObject({
      code: 'BLOB_STORE_FAILED',
      details: { status: 404 },
    });
  });
});
