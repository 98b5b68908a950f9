/** Local files: a source on the CLI's machine only, under the same size cap and with the same codes. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceFetcher, parseSourceRef } from '../../src/sources/index.ts';
import { silentLogger } from '../../src/logger.ts';

const MAX_BYTES = 64;
let dir: string;

const fetcher = createSourceFetcher({
  fetch: { connectTimeoutMs: 1_000, timeoutMs: 1_000, maxRedirects: 0, allowPrivateUrls: false },
  maxBytes: MAX_BYTES,
  allowedBuckets: [],
  s3Client: () => {
    throw new Error('file sources never reach S3');
  },
  logger: silentLogger,
});
const local = (value: string) => parseSourceRef(value, { localFilesFrom: dir });

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-file-source-'));
  await fs.mkdir(path.join(dir, 'images'));
  await fs.writeFile(path.join(dir, 'images', 'small.png'), Buffer.alloc(MAX_BYTES, 1));
  await fs.writeFile(path.join(dir, 'big.png'), Buffer.alloc(MAX_BYTES + 1, 1));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('local file sources (CLI only)', () => {
  it('reads a path relative to the given folder, labelled with its file: URL', async () => {
    const res = await fetcher.fetch(local('images/small.png'));
    expect(res.bytes).toEqual(Buffer.alloc(MAX_BYTES, 1));
    expect(res.label).toBe(`file://${path.join(dir, 'images', 'small.png')}`);
  });

  it('says SOURCE_NOT_FOUND for a missing file, not an internal error', async () => {
    await expect(fetcher.fetch(local('images/missing.png'))).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      message: expect.stringContaining(path.join(dir, 'images', 'missing.png')),
    });
  });

  it('applies MAX_SOURCE_BYTES to files too', async () => {
    await expect(fetcher.fetch(local(path.join(dir, 'big.png')))).rejects.toMatchObject({ code: 'SOURCE_TOO_LARGE' });
  });

  it('refuses a folder with INVALID_SOURCE', async () => {
    await expect(fetcher.fetch(local('images'))).rejects.toMatchObject({ code: 'INVALID_SOURCE' });
  });

  it('is never a source without the CLI\'s permission: the server refuses paths before any I/O', () => {
    expect(() => parseSourceRef(path.join(dir, 'images', 'small.png'))).toThrow(expect.objectContaining({ code: 'INVALID_SOURCE' }));
  });
});
