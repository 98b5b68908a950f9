/** Scoped API keys over real HTTP: each scope reaches its operations only, and says which scope is missing. */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_FIELD_RULES } from '../../src/api/access-plugin.ts';
import { SCHEMA_PATH } from '../../src/api/apollo.ts';
import { adminKey, type ApiKeyGrant } from '../../src/config.ts';
import { postGraphql, startStubServer, stopStubServers } from './http-harness.ts';

afterEach(stopStubServers);

const KEYS: ApiKeyGrant[] = [
  adminKey('plain-key'),
  { key: 'search-key', scopes: ['search'], collections: null },
  { key: 'shop-key', scopes: ['search'], collections: ['products'] },
  { key: 'ingest-key', scopes: ['ingest'], collections: null },
  { key: 'ingest-other', scopes: ['ingest', 'search'], collections: ['archive'] },
];

const OPERATIONS = {
  search: '{ search(collection: "products", query: { text: "shoe" }) { hits { id } } }',
  listCollections: '{ collections { name } }',
  ingest: 'mutation { ingest(collection: "products", objects: [{ product_image: "x" }]) { results { status } } }',
  ingestJob: '{ ingestJob(id: "job-1") { id done } }',
  deleteCollection: 'mutation { deleteCollection(name: "products") }',
  deleteDocuments: 'mutation { deleteDocuments(collection: "products", ids: ["00000000-0000-4000-8000-00000000000a"]) { deleted } }',
};

async function call(url: string, key: string, query: string, variables?: Record<string, unknown>) {
  const res = await postGraphql(url, query, { authorization: `Bearer ${key}` }, variables);
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions: Record<string, unknown> }[] } };
}

describe('scoped API keys', () => {
  it('lets a plain SIGHTLINE_API_KEYS key do everything, as before scopes', async () => {
    const { url } = await startStubServer({ apiKeys: KEYS });
    for (const query of Object.values(OPERATIONS)) {
      const { status, body } = await call(url, 'plain-key', query);
      expect(status, query).toBe(200);
      expect(body.errors, query).toBeUndefined();
    }
  });

  it('refuses a search-only key anything but queries, with a 403 naming the missing scope', async () => {
    const { url, services } = await startStubServer({ apiKeys: KEYS });
    expect((await call(url, 'search-key', OPERATIONS.search)).status).toBe(200);
    for (const [query, scope] of [
      [OPERATIONS.ingest, 'ingest'],
      [OPERATIONS.ingestJob, 'ingest'],
      [OPERATIONS.deleteCollection, 'admin'],
      [OPERATIONS.deleteDocuments, 'admin'],
    ] as const) {
      const { status, body } = await call(url, 'search-key', query);
      expect(status, query).toBe(403);
      expect(body.errors?.[0]).toEqual({
        message: `this API key lacks the '${scope}' scope`,
        extensions: { code: 'FORBIDDEN', details: { scope } },
      });
    }
    // Nothing ran: the check comes before execution.
    expect(services.searches).toHaveLength(1);
  });

  it('refuses a whole operation when one of its root fields is out of scope, fragments included', async () => {
    const { url } = await startStubServer({ apiKeys: KEYS });
    const query = `mutation M { ...Danger ingest(collection: "products", objects: [{ product_image: "x" }]) { job { id } } }
      fragment Danger on Mutation { deleteCollection(name: "products") }`;
    const { status, body } = await call(url, 'ingest-key', query);
    expect(status).toBe(403);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', details: { scope: 'admin' } });
  });

  it('lets an ingest key add documents but not search them', async () => {
    const { url } = await startStubServer({ apiKeys: KEYS });
    expect((await call(url, 'ingest-key', OPERATIONS.ingest)).status).toBe(200);
    expect((await call(url, 'ingest-key', OPERATIONS.ingestJob)).body.data).toEqual({ ingestJob: { id: 'job-1', done: 1 } });
    const { status, body } = await call(url, 'ingest-key', OPERATIONS.search);
    expect(status).toBe(403);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', details: { scope: 'search' } });
  });

  it('keeps a key limited to named collections inside them, variables included', async () => {
    const { url } = await startStubServer({ apiKeys: KEYS });
    expect((await call(url, 'shop-key', OPERATIONS.search)).status).toBe(200);
    const byVariable = await call(url, 'ingest-other', 'query Q($c: String!) { search(collection: $c) { hits { id } } }', { c: 'products' });
    expect(byVariable.status).toBe(403);
    expect(byVariable.body.errors?.[0]).toEqual({
      message: "this API key does not reach collection 'products'",
      extensions: { code: 'FORBIDDEN', details: { scope: 'search', collection: 'products' } },
    });
    // Listing shows only what the key reaches; a job of another collection is refused.
    expect((await call(url, 'shop-key', OPERATIONS.listCollections)).body.data).toEqual({ collections: [{ name: 'products' }] });
    expect((await call(url, 'ingest-other', OPERATIONS.listCollections)).body.data).toEqual({ collections: [] });
    const job = await call(url, 'ingest-other', OPERATIONS.ingestJob);
    expect(job.status).toBe(403);
    expect(job.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', details: { collection: 'products' } });
  });

  it('needs the search scope for thumbnails', async () => {
    const { url } = await startStubServer({ apiKeys: KEYS });
    const get = (key: string) => fetch(`${url}/thumbnails/products/abc.jpg`, { headers: { authorization: `Bearer ${key}` } });
    expect((await get('search-key')).status).toBe(200);
    const refused = await get('ingest-key');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      errors: [{ message: "this API key lacks the 'search' scope", extensions: { code: 'FORBIDDEN', details: { scope: 'search' } } }],
    });
  });

  it('lists a scope for every root field of the schema', () => {
    const document = parse(readFileSync(SCHEMA_PATH, 'utf8'));
    const rootFields = document.definitions.flatMap((d) =>
      d.kind === 'ObjectTypeDefinition' && (d.name.value === 'Query' || d.name.value === 'Mutation')
        ? (d.fields ?? []).map((f) => `${d.name.value}.${f.name.value}`)
        : [],
    );
    expect(rootFields.length).toBeGreaterThan(0);
    expect(rootFields.filter((f) => ROOT_FIELD_RULES[f] === undefined)).toEqual([]);
  });
});
