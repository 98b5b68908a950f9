import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createQdrantStore } from '../../src/store/qdrant-store.ts';
import { EXPECTED, id, vec, vectorStoreConformance } from './conformance.ts';

const url = process.env.QDRANT_URL;
const apiKey = process.env.QDRANT_API_KEY;

describe.skipIf(!url)(url ? 'qdrant store' : 'qdrant store (skipped: QDRANT_URL not set)', () => {
  vectorStoreConformance('qdrant', (expected) => createQdrantStore({ url: url!, apiKey, expected, logger: silentLogger }));
});

/** A loopback stand-in for the few Qdrant endpoints a test needs. */
type Handler = (req: http.IncomingMessage, body: string) => { status: number; body: unknown } | undefined;

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function fakeQdrant(handler: Handler): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const reply = handler(req, body) ?? { status: 404, body: { status: { error: 'Not found' } } };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ok = (result: unknown) => ({ status: 200, body: { result, status: 'ok', time: 0 } });
const collectionInfo = (metadata: unknown) =>
  ok({ status: 'green', points_count: 0, config: { params: { vectors: { [EXPECTED.vectorName]: { size: 768, distance: 'Cosine' } } }, metadata } });
const bound = { sightline: { feature: EXPECTED, config: {}, created_at: '2024-01-01T00:00:00.000Z' } };
const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

describe('qdrant store against a loopback stand-in', () => {
  it('retries upserts through 503 and 429 and splits them into bounded requests', async () => {
    const batches: number[] = [];
    let failures = 0;
    const base = await fakeQdrant((req, body) => {
      if (req.method === 'GET' && req.url === '/collections/sightline_c') return collectionInfo(bound);
      if (req.url?.startsWith('/collections/sightline_c/points/count')) return ok({ count: 0 });
      if (req.method === 'PUT' && req.url?.startsWith('/collections/sightline_c/points')) {
        if (failures < 2) return { status: [503, 429][failures++]!, body: { status: { error: 'busy' } } };
        batches.push((JSON.parse(body) as { points: unknown[] }).points.length);
        expect(req.url).toContain('wait=true');
        return ok({ operation_id: 1, status: 'completed' });
      }
      return undefined;
    });
    const store = createQdrantStore({ url: base, expected: EXPECTED, logger: silentLogger, retry: fastRetry });
    const points = Array.from({ length: 600 }, (_, n) => ({ id: id(n), vector: vec(1, n), payload: { n } }));
    await store.upsert('c', points);
    expect(failures).toBe(2);
    expect(batches).toEqual([256, 256, 88]);
  });

  it('refuses a Qdrant collection that records no Sightline feature', async () => {
    const base = await fakeQdrant((req) => {
      if (req.url === '/collections/sightline_foreign') return collectionInfo(null);
      if (req.url?.startsWith('/collections/sightline_foreign/points/count')) return ok({ count: 3 });
      return undefined;
    });
    const store = createQdrantStore({ url: base, expected: EXPECTED, logger: silentLogger, retry: fastRetry });
    await expect(store.getCollection('foreign')).rejects.toMatchObject({ code: 'FEATURE_MISMATCH' });
    await expect(store.count('foreign')).rejects.toMatchObject({ code: 'FEATURE_MISMATCH' });
  });

  it('maps a missing collection to COLLECTION_NOT_FOUND and truncates error bodies', async () => {
    const base = await fakeQdrant((req) => {
      if (req.url === '/collections/sightline_c') return collectionInfo(bound);
      if (req.url?.startsWith('/collections/sightline_c/points/count')) return ok({ count: 0 });
      if (req.url?.startsWith('/collections/sightline_c/points/query')) return { status: 400, body: { status: { error: 'x'.repeat(5000) } } };
      return undefined;
    });
    const store = createQdrantStore({ url: base, expected: EXPECTED, logger: silentLogger, retry: fastRetry });
    expect(await store.getCollection('gone')).toBeUndefined();
    await expect(store.search('gone', { vector: vec(1), limit: 1 })).rejects.toMatchObject({ code: 'COLLECTION_NOT_FOUND' });
    const err = await store.search('c', { vector: vec(1), limit: 1 }).catch((e: Error) => e);
    // Requests are validated before Qdrant sees them: its refusal is Sightline's bug, masked for clients.
    expect(err).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect((err as Error).message.length).toBeLessThan(400);
  });

  it('reports STORE_UNAVAILABLE when nothing answers', async () => {
    const base = await fakeQdrant(() => undefined);
    servers.pop()!.close();
    const store = createQdrantStore({ url: base, expected: EXPECTED, logger: silentLogger, retry: fastRetry });
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.listCollections()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
