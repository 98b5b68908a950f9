import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/blob/s3-client.ts';
import type { Config } from '../../src/config.ts';
import { createSourceFetcher, parseSourceRef } from '../../src/sources/index.ts';
import type { SourceFetcher } from '../../src/sources/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { OK_BODY, startAwkwardHttpServer } from '../fixtures/awkward-http-server.ts';
import type { AwkwardHttpServer } from '../fixtures/awkward-http-server.ts';
import { startS3Server } from '../fixtures/s3-server.ts';
import type { S3TestServer } from '../fixtures/s3-server.ts';

const MAX_BYTES = 4096;
let http: AwkwardHttpServer;
let s3: S3TestServer;

beforeAll(async () => {
  [http, s3] = await Promise.all([startAwkwardHttpServer(), startS3Server()]);
});
afterAll(async () => {
  await Promise.all([http.close(), s3.close()]);
});

function fetcher(allowPrivateUrls: boolean, s3Overrides: Partial<Config['s3']> = {}): SourceFetcher {
  return createSourceFetcher({
    fetch: { connectTimeoutMs: 2_000, timeoutMs: 10_000, maxRedirects: 5, allowPrivateUrls },
    maxBytes: MAX_BYTES,
    allowedBuckets: s3.config(s3Overrides).allowedBuckets,
    s3Client: () => createS3Client(s3.config(s3Overrides)),
    logger: silentLogger,
  });
}

describe('createSourceFetcher', () => {
  it('fetches a URL and labels it with the URL', async () => {
    const res = await fetcher(true).fetch(parseSourceRef(http.url('/wrong-type')));
    expect(res).toEqual({ bytes: OK_BODY, label: http.url('/wrong-type'), headerContentType: 'text/html; charset=utf-8' });
  });

  it('refuses loopback URLs unless SIGHTLINE_ALLOW_PRIVATE_URLS is on', async () => {
    await expect(fetcher(false).fetch(parseSourceRef(http.url('/ok.png')))).rejects.toMatchObject({ code: 'SOURCE_FORBIDDEN' });
  });

  it('fetches an s3:// object and labels it with its URI', async () => {
    await s3.createBucket('fetcher-catalog');
    await s3.putObject('fetcher-catalog', 'items/SKU-12345.png', OK_BODY, 'image/png');
    const res = await fetcher(false).fetch(parseSourceRef('s3://fetcher-catalog/items/SKU-12345.png'));
    expect(res).toEqual({ bytes: OK_BODY, label: 's3://fetcher-catalog/items/SKU-12345.png', headerContentType: 'image/png' });
  });

  it('applies the S3 bucket allow-list from the configuration', async () => {
    const ref = parseSourceRef('s3://fetcher-private/secret.png');
    await expect(fetcher(false, { allowedBuckets: ['fetcher-catalog'] }).fetch(ref)).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
    });
  });

  it('passes uploaded bytes through under the same size cap', async () => {
    const small = await fetcher(false).fetch(parseSourceRef({ base64: OK_BODY.toString('base64') }));
    expect(small.bytes.equals(OK_BODY)).toBe(true);
    expect(small.label).toMatch(/^upload:sha256:/);
    const big = parseSourceRef(`data:image/png;base64,${Buffer.alloc(MAX_BYTES + 1).toString('base64')}`);
    await expect(fetcher(false).fetch(big)).rejects.toMatchObject({
      code: 'SOURCE_TOO_LARGE',
      details: { maxBytes: MAX_BYTES, declaredBytes: MAX_BYTES + 1 },
    });
  });
});
