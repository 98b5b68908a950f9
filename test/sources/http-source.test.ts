import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttpSource } from '../../src/sources/http-source.ts';
import type { HttpFetchOptions } from '../../src/sources/http-source.ts';
import { classifyAddress, defaultSsrfGuard } from '../../src/sources/ssrf-guard.ts';
import type { SsrfGuard } from '../../src/sources/ssrf-guard.ts';
import { HUGE_BODY_BYTES, METADATA_URL, OK_BODY, startAwkwardHttpServer } from '../fixtures/awkward-http-server.ts';
import type { AwkwardHttpServer } from '../fixtures/awkward-http-server.ts';

const MiB = 1024 * 1024;
let server: AwkwardHttpServer;

beforeAll(async () => {
  server = await startAwkwardHttpServer();
});
afterAll(async () => {
  await server.close();
});

// The test server is on loopback, so these run with the guard off
// (SIGHTLINE_ALLOW_PRIVATE_URLS=true); the guard has its own tests below.
function options(overrides: Partial<HttpFetchOptions> = {}): HttpFetchOptions {
  return { connectTimeoutMs: 2_000, timeoutMs: 10_000, maxRedirects: 5, maxBytes: MiB, guard: defaultSsrfGuard(true), ...overrides };
}
const fetchPath = (path: string, overrides?: Partial<HttpFetchOptions>, signal?: AbortSignal) =>
  fetchHttpSource(new URL(server.url(path)), options(overrides), signal);

describe('fetchHttpSource', () => {
  it('returns the body and the server-declared content type', async () => {
    const res = await fetchPath('/ok.png');
    expect(res.bytes.equals(OK_BODY)).toBe(true);
    expect(res.contentType).toBe('image/png');
  });

  it('returns the bytes even when the Content-Type is wrong (they are sniffed later)', async () => {
    const res = await fetchPath('/wrong-type');
    expect(res.bytes.equals(OK_BODY)).toBe(true);
    expect(res.contentType).toMatch(/^text\/html/);
  });

  it('follows redirects up to the limit', async () => {
    const res = await fetchPath('/redirect/5');
    expect(res.bytes.equals(OK_BODY)).toBe(true);
    expect(res.finalUrl.pathname).toBe('/ok.png');
  });

  it('stops a chain longer than the limit with "too many redirects"', async () => {
    await expect(fetchPath('/redirect/6')).rejects.toMatchObject({
      code: 'SOURCE_FETCH_FAILED',
      message: expect.stringContaining('too many redirects'),
      details: { maxRedirects: 5 },
    });
  });

  it('stops a redirect loop after maxRedirects + 1 requests', async () => {
    const before = server.requestCount('/loop');
    await expect(fetchPath('/loop', { maxRedirects: 3 })).rejects.toMatchObject({ code: 'SOURCE_FETCH_FAILED' });
    expect(server.requestCount('/loop') - before).toBe(4);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    await expect(fetchPath('/redirect-file')).rejects.toMatchObject({ code: 'SOURCE_FORBIDDEN' });
  });

  it.each([
    ['/missing', 'SOURCE_NOT_FOUND', 404],
    ['/gone', 'SOURCE_NOT_FOUND', 410],
    ['/error', 'SOURCE_FETCH_FAILED', 500],
  ])('maps %s to %s with the status', async (path, code, status) => {
    await expect(fetchPath(path)).rejects.toMatchObject({ code, details: { status } });
  });

  it('fails a connection dropped mid-body', async () => {
    await expect(fetchPath('/drop')).rejects.toMatchObject({
      code: 'SOURCE_FETCH_FAILED',
      message: expect.stringContaining('mid-body'),
      details: { status: 200 },
    });
  });

  it('times out a server that never sends a byte', async () => {
    await expect(fetchPath('/slow-first-byte', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'SOURCE_TIMEOUT',
      details: { timeoutMs: 300 },
    });
  });

  it('times out a body that trickles in (the limit covers the whole fetch)', async () => {
    await expect(fetchPath('/slow-trickle', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'SOURCE_TIMEOUT' });
  });

  it('times out a handshake that never completes (connect timeout)', async () => {
    // Accepts TCP but never answers the TLS ClientHello.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const url = new URL(`https://127.0.0.1:${port}/image.png`);
      await expect(fetchHttpSource(url, options({ connectTimeoutMs: 200 }))).rejects.toMatchObject({
        code: 'SOURCE_TIMEOUT',
        details: { connectTimeoutMs: 200 },
      });
    } finally {
      silent.close();
    }
  });

  it('refuses a declared Content-Length over the cap and hangs up without reading the body', async () => {
    await expect(fetchPath('/huge')).rejects.toMatchObject({
      code: 'SOURCE_TOO_LARGE',
      details: { maxBytes: MiB, declaredBytes: HUGE_BODY_BYTES },
    });
    const stream = server.lastStream('/huge');
    await stream?.closed;
    expect(stream?.clientClosedEarly).toBe(true);
    expect(stream?.bytesSent).toBeLessThan(HUGE_BODY_BYTES / 8);
  });

  it('cuts off an undeclared body as soon as it crosses the cap', async () => {
    await expect(fetchPath('/huge-chunked')).rejects.toMatchObject({ code: 'SOURCE_TOO_LARGE', details: { maxBytes: MiB } });
    const stream = server.lastStream('/huge-chunked');
    await stream?.closed;
    expect(stream?.clientClosedEarly).toBe(true);
    expect(stream?.bytesSent).toBeLessThan(HUGE_BODY_BYTES / 8);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = fetchPath('/slow-first-byte', {}, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'SOURCE_FETCH_FAILED', details: { cancelled: true } });
  });
});

describe('fetchHttpSource SSRF guard', () => {
  // Lets the loopback test server stand in for a public host; every other
  // address keeps its real class.
  const loopbackIsPublic = (resolve: SsrfGuard['resolve'] = async () => [{ address: '127.0.0.1', family: 4 }]) => ({
    allowPrivate: false,
    resolve,
    classify: (address: string) => (address === '127.0.0.1' ? 'public' : classifyAddress(address)),
  });

  it('refuses a loopback URL before connecting when private URLs are not allowed', async () => {
    const before = server.requestCount('/ok.png');
    await expect(fetchPath('/ok.png', { guard: defaultSsrfGuard(false) })).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
      details: { addressClass: 'loopback' },
    });
    expect(server.requestCount('/ok.png')).toBe(before);
  });

  it('refuses a public host that redirects to the cloud metadata address', async () => {
    const before = server.requestCount('/redirect-private');
    await expect(fetchPath('/redirect-private', { guard: loopbackIsPublic() })).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
      details: { url: METADATA_URL, address: '169.254.169.254', addressClass: 'link-local' },
    });
    expect(server.requestCount('/redirect-private') - before).toBe(1);
  });

  it('connects to the address it checked, resolving each hop once', async () => {
    const lookups: string[] = [];
    const guard = loopbackIsPublic(async (host) => {
      lookups.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    });
    // The name exists nowhere but in the injected resolver: the request can
    // only succeed by connecting to the pinned address.
    const port = new URL(server.baseUrl).port;
    const res = await fetchHttpSource(new URL(`http://images.example.test:${port}/redirect/2`), options({ guard }));
    expect(res.bytes.equals(OK_BODY)).toBe(true);
    expect(lookups).toEqual(['images.example.test', 'images.example.test', 'images.example.test']);
  });

  it('refuses a host whose DNS answers include a private address', async () => {
    const guard = loopbackIsPublic(async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '192.168.0.10', family: 4 },
    ]);
    await expect(
      fetchHttpSource(new URL('http://rebind.example.test/ok.png'), options({ guard })),
    ).rejects.toMatchObject({ code: 'SOURCE_FORBIDDEN', details: { address: '192.168.0.10' } });
  });
});
