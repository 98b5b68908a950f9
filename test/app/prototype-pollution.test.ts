/**
 * Issue 7 item 1: no path a user can send reaches an object prototype. The
 * attacks run through GraphQL against the real services, then the service
 * must still create collections, ingest and list as before.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_FEATURE } from '../../src/collections/collection-service.ts';
import { passthroughFields } from '../../src/ingest/passthrough.ts';
import { readField, writeField } from '../../src/store/payload-path.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { startGraphql, startTestApp } from './harness.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
const PROBES = ['polluted', 'x', 'y'];

function prototypeIsClean(): boolean {
  return PROBES.every((k) => !(k in Object.prototype) && !(k in Function.prototype));
}

describe('prototype pollution through paths (GraphQL, real services)', () => {
  let app: TestApp;
  let graphql: Awaited<ReturnType<typeof startGraphql>>;
  let image: string;

  const run = (query: string, variables?: Record<string, unknown>) => graphql.run(query, variables);
  const create = (name: string, passthrough: Array<Record<string, unknown>>, image = 'product_image') =>
    run(
      `mutation($name: String!, $fp: [FieldPassthroughInput!], $image: String!) {
        createCollection(name: $name, featureExtractor: { inputMappings: { image: $image }, fieldPassthrough: $fp }) { name } }`,
      { name, fp: passthrough, image },
    );
  const ingest = (collection: string, object: Record<string, unknown>) =>
    run(
      `mutation($c: String!, $o: [JSON!]!) { ingest(collection: $c, objects: $o) { results { status error { code message } } } }`,
      { c: collection, o: [object] },
    );

  beforeAll(async () => {
    app = await startTestApp();
    graphql = await startGraphql(app);
    image = `data:image/jpeg;base64,${(await photoLikeJpeg(64, 48, 3)).toString('base64')}`;
  });
  afterAll(async () => {
    await graphql?.stop();
    await app?.dispose();
  });
  afterEach(() => {
    // Should a test fail, leave no pollution behind for the others.
    for (const k of PROBES) {
      delete (Object.prototype as Record<string, unknown>)[k];
      delete (Function.prototype as unknown as Record<string, unknown>)[k];
    }
  });

  const attacks: Array<[string, Array<Record<string, unknown>>, string?]> = [
    ['a target through __proto__', [{ sourcePath: 'x', targetPath: '__proto__.polluted' }]],
    ['a target through constructor.prototype', [{ sourcePath: 'x', targetPath: 'constructor.prototype.x' }]],
    ['a target named prototype', [{ sourcePath: 'x', targetPath: 'a.prototype' }]],
    ['a source through __proto__', [{ sourcePath: '__proto__.polluted', targetPath: 'y' }]],
    ['a source through constructor', [{ sourcePath: 'constructor.name', targetPath: 'y' }]],
    ['an input mapping through __proto__', [], '__proto__.product_image'],
  ];

  it.each(attacks)('refuses %s at createCollection, and ingest then leaves Object.prototype clean', async (_label, fp, mapping) => {
    const name = `attack_${Math.random().toString(36).slice(2, 8)}`;
    const created = await create(name, fp, mapping);
    expect(created.errors?.[0]?.extensions?.code).toBe('INVALID_EXTRACTOR_CONFIG');
    expect(created.errors?.[0]?.message).toMatch(/may not be used as a path segment/);
    // Whatever createCollection said, an ingest into that name must not pollute.
    await ingest(name, { product_image: image, x: 'evil' });
    expect(prototypeIsClean()).toBe(true);
  });

  it('keeps serving after the attacks: create, ingest and list still work', async () => {
    for (const [, fp, mapping] of attacks) await create('after', fp, mapping);
    await ingest('after', { product_image: image, x: 'evil' });
    const created = await create('after', [{ sourcePath: 'x', targetPath: 'meta.x' }]);
    expect(created.errors).toBeUndefined();
    const stored = await ingest('after', { product_image: image, ...(JSON.parse('{"x": "fine", "__proto__": {"polluted": true}}') as object) });
    expect(stored.data).toMatchObject({ ingest: { results: [{ status: 'STORED', error: null }] } });
    const listed = await run('{ collections { name } }');
    expect(listed.errors).toBeUndefined();
    expect(prototypeIsClean()).toBe(true);
  });

  it('still lists collections when one was stored with a prototype path before such paths were refused', async () => {
    const poisoned = {
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'img' },
      field_passthrough: [{ source_path: 'x', target_path: '__proto__.polluted', required: false }],
      parameters: { enable_thumbnails: false },
    };
    await app.store.createCollection('poisoned_before', { feature: IMAGE_FEATURE, config: poisoned });
    const listed = await run('{ collections { name } }');
    expect(listed.errors).toBeUndefined();
    expect((listed.data as { collections: { name: string }[] }).collections.map((c) => c.name)).not.toContain('poisoned_before');
    const ingested = await ingest('poisoned_before', { img: image, x: 'evil' });
    expect(ingested.errors?.[0]?.extensions?.code).toBe('INVALID_EXTRACTOR_CONFIG');
    expect(prototypeIsClean()).toBe(true);
    expect((await run('mutation { deleteCollection(name: "poisoned_before") }')).data).toEqual({ deleteCollection: true });
  });

  it('refuses filter keys that name a prototype, in search and delete', async () => {
    await create('filters', [{ sourcePath: 'x' }]);
    for (const key of ['__proto__', 'constructor.prototype', '"__proto__".polluted', 'x.prototype']) {
      const searched = await run(`query($f: FilterInput) { search(collection: "filters", filter: $f) { hits { id } } }`, {
        f: { must: [{ key, match: 'v' }] },
      });
      expect(searched.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
      const deleted = await run(`mutation($f: FilterInput) { deleteDocuments(collection: "filters", filter: $f) { deleted } }`, {
        f: { must: [{ key, match: 'v' }] },
      });
      expect(deleted.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
    }
    expect(prototypeIsClean()).toBe(true);
  });
});

describe('field paths read and write own properties only', () => {
  it('never reads an inherited property', () => {
    expect(readField({}, 'toString')).toBeUndefined();
    expect(readField({ a: {} }, 'a.hasOwnProperty')).toBeUndefined();
    expect(readField({ a: { b: 1 } }, 'a.b')).toBe(1);
  });

  it('refuses prototype segments even when called directly, and writes only own properties', () => {
    expect(() => writeField({}, '__proto__.polluted', 1)).toThrow(/may not be used/);
    expect(() => readField({}, 'constructor.prototype')).toThrow(/may not be used/);
    const target: Record<string, unknown> = { a: 'not an object' };
    writeField(target, 'a.b', 1);
    expect(target).toEqual({ a: { b: 1 } });
    expect(Object.getPrototypeOf(target.a)).toBeNull();
    expect(prototypeIsClean()).toBe(true);
  });

  it('builds passthrough fields that cannot reach a prototype', () => {
    const fields = passthroughFields({ m: { polluted: 1 } }, [{ sourcePath: 'm.polluted', targetPath: 'polluted', required: false }]);
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(fields).toEqual({ polluted: 1 });
    expect(prototypeIsClean()).toBe(true);
  });
});
