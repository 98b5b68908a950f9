/** CORS over real HTTP: configured origins only, preflights answered before authentication. */
import { afterEach, describe, expect, it } from 'vitest';
import { adminKey, loadConfig } from '../../src/config.ts';
import { postGraphql, startStubServer, stopStubServers } from './http-harness.ts';

afterEach(stopStubServers);

const SHOP = 'https://shop.example.com';
const preflight = (url: string, origin: string) =>
  fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

describe('CORS', () => {
  it('answers a preflight from an allowed origin, before any key is checked', async () => {
    const { url } = await startStubServer({ apiKeys: [adminKey('k')], corsAllowedOrigins: [SHOP] });
    const res = await preflight(url, SHOP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization.*content-type.*apollo-require-preflight/);
    expect(res.headers.get('vary')).toBe('Origin');
    const answer = await postGraphql(url, '{ collections { name } }', { origin: SHOP, authorization: 'Bearer k' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });

  it('gives other origins no CORS headers, and none to anyone by default', async () => {
    const configured = await startStubServer({ corsAllowedOrigins: [SHOP] });
    const other = await preflight(configured.url, 'https://evil.example.net');
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-methods')).toBeNull();
    const byDefault = await startStubServer();
    for (const res of [await preflight(byDefault.url, SHOP), await postGraphql(byDefault.url, '{ collections { name } }', { origin: SHOP })]) {
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('reads CORS_ALLOWED_ORIGINS as exact origins, refusing a value with a path', () => {
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: `${SHOP}, http://localhost:5173` }).server.corsAllowedOrigins).toEqual([
      SHOP,
      'http://localhost:5173',
    ]);
    expect(loadConfig({}).server.corsAllowedOrigins).toEqual([]);
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: 'https://shop.example.com/' })).toThrow(/CORS_ALLOWED_ORIGINS/);
  });
});
