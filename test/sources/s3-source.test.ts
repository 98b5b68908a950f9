import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/blob/s3-client.ts';
import { fetchS3Source } from '../../src/sources/s3-source.ts';
import type { S3FetchOptions } from '../../src/sources/s3-source.ts';
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

const freshBucket = () => s3.freshBucket('source-test');

const options = (overrides: Partial<S3FetchOptions> = {}): S3FetchOptions => ({
  client,
  allowedBuckets: [],
  maxBytes: 1024,
  timeoutMs: 10_000,
  ...overrides,
});

describe('fetchS3Source', () => {
  it('reads an object through the configured endpoint, path style and keys', async () => {
    const bucket = await freshBucket();
    const bytes = Buffer.from('jpeg bytes, or so they say');
    await s3.putObject(bucket, 'products/laptop pro.jpg', bytes, 'image/jpeg');
    const res = await fetchS3Source({ bucket, key: 'products/laptop pro.jpg' }, options());
    expect(res.bytes.equals(bytes)).toBe(true);
    expect(res.contentType).toBe('image/jpeg');
  });

  it('maps a missing key to SOURCE_NOT_FOUND', async () => {
    const bucket = await freshBucket();
    await expect(fetchS3Source({ bucket, key: 'nope.png' }, options())).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      details: { source: `s3://${bucket}/nope.png`, reason: 'NoSuchKey' },
    });
  });

  it('maps a missing bucket to SOURCE_NOT_FOUND', async () => {
    await expect(fetchS3Source({ bucket: 'never-created', key: 'a.png' }, options())).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      details: { reason: 'NoSuchBucket' },
    });
  });

  it('refuses a bucket outside S3_ALLOWED_BUCKETS, even one that exists', async () => {
    const bucket = await freshBucket();
    await s3.putObject(bucket, 'a.png', Buffer.from('x'));
    await expect(fetchS3Source({ bucket, key: 'a.png' }, options({ allowedBuckets: ['catalog'] }))).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
      details: { bucket },
    });
    await expect(fetchS3Source({ bucket, key: 'a.png' }, options({ allowedBuckets: ['catalog', bucket] }))).resolves.toBeDefined();
  });

  it('refuses an object over the size cap from its ContentLength', async () => {
    const bucket = await freshBucket();
    await s3.putObject(bucket, 'big.png', Buffer.alloc(2048, 7));
    await expect(fetchS3Source({ bucket, key: 'big.png' }, options({ maxBytes: 1024 }))).rejects.toMatchObject({
      code: 'SOURCE_TOO_LARGE',
      details: { maxBytes: 1024, declaredBytes: 2048 },
    });
  });

  it('maps an access key the service rejects to SOURCE_FORBIDDEN', async () => {
    const bucket = await freshBucket();
    await s3.putObject(bucket, 'a.png', Buffer.from('x'));
    const wrongKeys = createS3Client(s3.config({ accessKeyId: 'NOT-A-KEY' }));
    try {
      await expect(fetchS3Source({ bucket, key: 'a.png' }, options({ client: wrongKeys }))).rejects.toMatchObject({
        code: 'SOURCE_FORBIDDEN',
        details: { status: 403 },
      });
    } finally {
      wrongKeys.destroy();
    }
  });

  it('times out an S3 endpoint that never answers', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const stuck = createS3Client(s3.config({ endpoint: `http://127.0.0.1:${port}` }));
    try {
      await expect(fetchS3Source({ bucket: 'any-bucket', key: 'a.png' }, options({ client: stuck, timeoutMs: 300 }))).rejects.toMatchObject({
        code: 'SOURCE_TIMEOUT',
        details: { timeoutMs: 300 },
      });
    } finally {
      stuck.destroy();
      silent.close();
    }
  });
});
