import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminKey, loadConfig } from '../src/config.ts';

function keyFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sightline-keys-')), 'keys');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({ HOME: '/home/u' });
    expect(c.server.port).toBe(4000);
    expect(c.model.batchSize).toBe(16);
    // A lone query or image goes to an idle tower at once; recent query texts are cached.
    expect(c.model.batchWaitMs).toBe(0);
    expect(c.model.textCacheEntries).toBe(1024);
    expect(c.inference).toEqual({ kind: 'in-process', executionProvider: 'cpu', cudaDeviceId: 0, threads: 0 });
    expect(c.limits.maxSourceBytes).toBe(10 * 1024 * 1024);
    expect(c.model.dir).toBe('/home/u/.local/share/sightline/models/siglip-base-patch16-224');
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', EXECUTION_PROVIDER: 'tpu', INFERENCE_BATCH_SIZE: '0' })).toThrow(
      /PORT[\s\S]*EXECUTION_PROVIDER[\s\S]*INFERENCE_BATCH_SIZE|PORT[\s\S]*INFERENCE_BATCH_SIZE[\s\S]*EXECUTION_PROVIDER/,
    );
  });

  it('applies the documented request budgets: GraphQL limits and PDF rendering', () => {
    const c = loadConfig({});
    expect(c.server.graphql).toEqual({ maxTokens: 5000, maxDepth: 12, maxAliases: 15, maxCost: 1000 });
    expect(c.pdf).toEqual({ workers: 2, pageTimeoutMs: 5000, maxPagePixels: 4_000_000, maxRenderedPages: 16 });
  });

  it('refuses a PDF page pixel limit above the image pixel limit, which would refuse every scaled page', () => {
    expect(() => loadConfig({ PDF_MAX_PAGE_PIXELS: '20000000', MAX_IMAGE_PIXELS: '10000000' })).toThrow(/PDF_MAX_PAGE_PIXELS/);
  });

  it('parses lists and booleans', () => {
    const c = loadConfig({ SIGHTLINE_API_KEYS: 'a, b,,c', SIGHTLINE_ALLOW_PRIVATE_URLS: 'true' });
    expect(c.server.apiKeys.map((k) => k.key)).toEqual(['a', 'b', 'c']);
    expect(c.fetch.allowPrivateUrls).toBe(true);
  });

  it('reads scoped keys from SIGHTLINE_API_KEYS_FILE next to plain keys, which stay admin', () => {
    const file = keyFile('# shop page\nshop-3f9a   search   products\n\nimporter-81 ingest,search products,archive  # nightly\nops-c0ffee\n');
    const c = loadConfig({ SIGHTLINE_API_KEYS: 'legacy', SIGHTLINE_API_KEYS_FILE: file });
    expect(c.server.apiKeys).toEqual([
      adminKey('legacy'),
      { key: 'shop-3f9a', scopes: ['search'], collections: ['products'] },
      { key: 'importer-81', scopes: ['ingest', 'search'], collections: ['products', 'archive'] },
      adminKey('ops-c0ffee'),
    ]);
  });

  it('refuses a key file with unknown scopes, repeated keys, or no key at all, naming the line', () => {
    const bad = keyFile('k1 search\nk2 read products\nk1 admin\nk3 search a b\n');
    expect(() => loadConfig({ SIGHTLINE_API_KEYS_FILE: bad, PORT: 'x' })).toThrow(
      /PORT[\s\S]*line 2: scopes are a comma-separated list of search, ingest, metrics, admin[\s\S]*line 3: the same key is listed twice[\s\S]*line 4/,
    );
    expect(() => loadConfig({ SIGHTLINE_API_KEYS_FILE: keyFile('# nobody\n') })).toThrow(/holds no key/);
    expect(() => loadConfig({ SIGHTLINE_API_KEYS_FILE: '/nonexistent/keys' })).toThrow(/cannot read \/nonexistent\/keys \(ENOENT\)/);
  });

  it('uses the embedded store in DATA_DIR unless QDRANT_URL is set', () => {
    expect(loadConfig({ DATA_DIR: '/srv/sightline' }).store).toEqual({ kind: 'embedded', dataDir: '/srv/sightline' });
  });

  it('uses Qdrant with its call and collection settings when QDRANT_URL is set', () => {
    const store = loadConfig({ QDRANT_URL: 'http://qdrant:6333', QDRANT_API_KEY: 'k', QDRANT_REPLICATION_FACTOR: '2', QDRANT_QUANTIZATION: 'none' }).store;
    expect(store).toMatchObject({ kind: 'qdrant', url: 'http://qdrant:6333', apiKey: 'k', timeoutMs: 10_000, longCallTimeoutS: 120 });
    // A replicated read asks a majority, so it sees what a majority acknowledged.
    expect(store.kind === 'qdrant' && store.settings).toMatchObject({ replicationFactor: 2, readConsistency: 'majority', quantization: 'none' });
  });

  it('searches Qdrant with a beam of 128 and leaves the embedded store to size it, unless SEARCH_HNSW_EF says', () => {
    expect(loadConfig({ QDRANT_URL: 'http://qdrant:6333' }).search.hnswEf).toBe(128);
    expect(loadConfig({}).search.hnswEf).toBeUndefined();
    expect(loadConfig({ SEARCH_HNSW_EF: '300' }).search.hnswEf).toBe(300);
  });

  it('refuses Qdrant settings without QDRANT_URL instead of silently using the embedded store', () => {
    expect(() => loadConfig({ QDRANT_API_KEY: 'k', QDRANT_QUANTIZATION: 'none' })).toThrow(
      /QDRANT_API_KEY: only read with QDRANT_URL[\s\S]*QDRANT_QUANTIZATION: only read with QDRANT_URL/,
    );
  });

  it('stores thumbnails in a local folder served by the server by default', () => {
    expect(loadConfig({ DATA_DIR: '/srv/d', PORT: '8080' }).thumbnails).toEqual({
      kind: 'local',
      dir: '/srv/d/thumbnails',
      publicBaseUrl: 'http://localhost:8080/thumbnails',
      cdnBaseUrl: undefined,
    });
    expect(loadConfig({ THUMBNAIL_DIR: '/t', PUBLIC_BASE_URL: 'https://img.example.com/' }).thumbnails).toMatchObject({
      dir: '/t',
      publicBaseUrl: 'https://img.example.com/thumbnails',
    });
  });

  it('stores thumbnails in an S3 bucket under a prefix with THUMBNAIL_STORAGE=s3', () => {
    const env = { THUMBNAIL_STORAGE: 's3', THUMBNAIL_S3_BUCKET: 'thumbs', THUMBNAIL_CDN_BASE_URL: 'https://cdn.example.com' };
    expect(loadConfig(env).thumbnails).toEqual({ kind: 's3', bucket: 'thumbs', prefix: 'thumbnails/', cdnBaseUrl: 'https://cdn.example.com' });
  });

  it('refuses thumbnail settings that belong to the other storage, listing each with the rest', () => {
    expect(() => loadConfig({ THUMBNAIL_STORAGE: 's3', THUMBNAIL_DIR: '/t', PORT: 'x' })).toThrow(
      /PORT[\s\S]*THUMBNAIL_S3_BUCKET: required when THUMBNAIL_STORAGE=s3[\s\S]*THUMBNAIL_DIR: only read with THUMBNAIL_STORAGE=local/,
    );
    expect(() => loadConfig({ THUMBNAIL_S3_BUCKET: 'thumbs', THUMBNAIL_S3_PREFIX: 'p/' })).toThrow(
      /THUMBNAIL_S3_BUCKET: only read with THUMBNAIL_STORAGE=s3[\s\S]*THUMBNAIL_S3_PREFIX: only read with THUMBNAIL_STORAGE=s3/,
    );
  });

  it('runs inference on a KServe v2 server with INFERENCE_BACKEND=kserve, with its call settings', () => {
    const c = loadConfig({ INFERENCE_BACKEND: 'kserve', INFERENCE_URL: 'http://gpu:8000', INFERENCE_TIMEOUT_MS: '5000', INFERENCE_MAX_QUEUED: '8' });
    expect(c.inference).toEqual({ kind: 'kserve', url: 'http://gpu:8000', timeoutMs: 5000, retries: 2, maxInFlight: 4, maxQueued: 8 });
  });

  it('refuses kserve without INFERENCE_URL, and settings of the backend not chosen, listing each', () => {
    expect(() => loadConfig({ INFERENCE_BACKEND: 'kserve', EXECUTION_PROVIDER: 'cuda' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/INFERENCE_URL: required[\s\S]*EXECUTION_PROVIDER: only read with INFERENCE_BACKEND=in-process/),
      }),
    );
    expect(() => loadConfig({ INFERENCE_URL: 'http://gpu:8000', INFERENCE_RETRIES: '1' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/INFERENCE_URL: only read with INFERENCE_BACKEND=kserve[\s\S]*INFERENCE_RETRIES: only read/) }),
    );
    expect(() => loadConfig({ INFERENCE_BACKEND: 'kserve', INFERENCE_URL: 'ftp://gpu' })).toThrow(/INFERENCE_URL/);
  });

  it('leaves the log level to the entry point unless LOG_LEVEL is set', () => {
    expect(loadConfig({}).logLevel).toBeUndefined();
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });
});
