/** The API over real HTTP on port 0, with stub services: auth, health, request ids, limits, shutdown. */
import { afterEach, describe, expect, it } from 'vitest';
import { adminKey } from '../../src/config.ts';
import { postGraphql as post, startStubServer as start, stopStubServers } from './http-harness.ts';

const SEARCH = '{ search(collection: "products", query: { text: "red shoe" }) { hits { id score } } }';

afterEach(stopStubServers);

describe('HTTP API', () => {
  it('answers a search over POST /graphql with the request id it was given', async () => {
    const { url } = await start();
    const res = await post(url, SEARCH, { 'x-request-id': 'client-chosen-42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-chosen-42');
    expect(await res.json()).toEqual({ data: { search: { hits: [{ id: 'stub-hit-ember-trail-runner', score: 0.875 }] } } });
  });

  it('generates a request id when none (or an unusable one) is given', async () => {
    const { url } = await start();
    const res = await post(url, SEARCH, { 'x-request-id': 'bad id with spaces' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('masks an unexpected failure and logs it under the id the client received', async () => {
    const { url, logs } = await start();
    const res = await post(url, '{ search(collection: "explode", query: { text: "x" }) { hits { id } } }');
    const body = (await res.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors[0]).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(body)).not.toContain('secret-internal');
    const requestId = res.headers.get('x-request-id');
    const logged = logs.find((l) => l.msg === 'unexpected error');
    expect(logged?.requestId).toBe(requestId);
    expect(JSON.stringify(logged)).toContain('secret-internal');
  });

  it('requires a valid bearer key when keys are configured, saying nothing about which exist', async () => {
    const { url } = await start({ apiKeys: ['key-one', 'key-two'].map(adminKey) });
    const answers = await Promise.all([
      post(url, SEARCH),
      post(url, SEARCH, { authorization: 'Bearer key-on' }),
      post(url, SEARCH, { authorization: 'Bearer key-one-and-more' }),
      post(url, SEARCH, { authorization: 'Basic key-one' }),
    ]);
    const bodies = await Promise.all(answers.map((r) => r.text()));
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({
      errors: [{ message: 'a valid API key is required', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect((await post(url, SEARCH, { authorization: 'Bearer key-two' })).status).toBe(200);
    const thumbnail = await fetch(`${url}/thumbnails/products/abc.jpg`);
    expect(thumbnail.status).toBe(401);
  });

  it('keeps /healthz, /readyz and the playground page open when keys are configured', async () => {
    const { url } = await start({ apiKeys: [adminKey('k')] });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Authorization');
  });

  it('reports not ready (503) naming the part that is not', async () => {
    const { url, services } = await start();
    // The model loaded, but the remote inference server has gone away since.
    const inference = { ok: false as const, reason: 'the inference server at http://gpu:8000 cannot be reached (ECONNREFUSED)' };
    services.readinessAnswer = { model: { ok: true }, inference, store: { ok: true }, blob: { ok: true } };
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not ready',
      checks: { model: { ok: true }, inference, store: { ok: true }, blob: { ok: true } },
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('refuses a body over the size cap with 413', async () => {
    const { url } = await start({ maxBodyBytes: 1024 });
    const res = await post(url, `{ collections { name } } # ${'x'.repeat(2000)}`);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a query nested past the depth limit with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const { url } = await start({ graphql: { maxDepth: 2 } });
    const res = await post(url, '{ collections { featureExtractor { fieldPassthrough { sourcePath } } } }');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await post(url, '{ collections { name } }')).status).toBe(200);
  });

  it('refuses a document over the token limit with 400 GRAPHQL_PARSE_FAILED, running nothing', async () => {
    const { url, services } = await start({ graphql: { maxTokens: 200 } });
    const aliased = Array.from({ length: 40 }, (_, i) => `s${i}: search(collection: "products") { hits { id } }`).join(' ');
    const res = await post(url, `{ ${aliased} }`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(services.searches).toHaveLength(0);
  });

  it('serves local thumbnails and 404s unknown or unsafe keys', async () => {
    const { url } = await start();
    const ok = await fetch(`${url}/thumbnails/products/abc.jpg`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(await ok.text()).toBe('jpeg-bytes');
    expect((await fetch(`${url}/thumbnails/products/missing.jpg`)).status).toBe(404);
    expect((await fetch(`${url}/thumbnails/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });

  it('answers an unknown route or asset with 404 NOT_FOUND, not a user-input error', async () => {
    const { url } = await start();
    for (const path of ['/graphq', '/api/v1/search', '/playground/assets/nope.js']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('NOT_FOUND');
    }
  });

  it('finishes an in-flight request on close, refusing new connections meanwhile', async () => {
    const { url, server, services } = await start();
    let release!: () => void;
    services.searchGate = new Promise<void>((resolve) => (release = resolve));
    const inFlight = post(url, SEARCH);
    while (services.searches.length === 0) await new Promise((r) => setImmediate(r));
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { search: { hits: unknown[] } } }).data.search.hits).toHaveLength(1);
    await closing;
    expect(closed).toBe(true);
  });
});
