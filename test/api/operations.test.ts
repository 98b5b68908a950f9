/** GraphQL operations run in-process against stub services: the API surface, not the product. */
import { FULL_ACCESS } from '../../src/api/api-keys.ts';
import type { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApolloServer } from '../../src/api/apollo.ts';
import type { ApiContext } from '../../src/api/context.ts';
import { createLogger } from '../../src/logger.ts';
import { createStubServices } from './stub-services.ts';
import { loadConfig, type GraphqlLimits } from '../../src/config.ts';

const services = createStubServices();
const logLines: Record<string, unknown>[] = [];
const logger = createLogger('debug', {}, (line) => logLines.push(JSON.parse(line)));
let apollo: ApolloServer<ApiContext>;

async function run(query: string, variables?: Record<string, unknown>) {
  const response = await apollo.executeOperation(
    { query, variables },
    { contextValue: { services, requestId: 'req-test-1', logger: logger.child({ requestId: 'req-test-1' }), signal: new AbortController().signal, access: FULL_ACCESS } },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

beforeAll(async () => {
  apollo = createApolloServer({ limits: { ...loadConfig({}).server.graphql, maxDepth: 5 }, syncMaxObjects: 2, logger });
  await apollo.start();
});
afterAll(() => apollo.stop());

describe('GraphQL operations', () => {
  it('returns a collection with its extractor configuration in GraphQL casing', async () => {
    const result = await run(`{ collection(name: "products") { name documentCount featureUri
      featureExtractor { featureExtractorName version inputMappings { image }
        fieldPassthrough { sourcePath targetPath default required } parameters { enableThumbnails } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.collection).toEqual({
      name: 'products',
      documentCount: 1,
      featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
      featureExtractor: {
        featureExtractorName: 'image_extractor',
        version: 'v1',
        inputMappings: { image: 'product_image' },
        fieldPassthrough: [
          { sourcePath: 'metadata.sku', targetPath: null, default: null, required: false },
          { sourcePath: 'metadata.brand', targetPath: 'brand', default: 'unknown', required: false },
        ],
        parameters: { enableThumbnails: true },
      },
    });
  });

  it('describes the image extractor by name and version', async () => {
    const result = await run(`{ extractor(name: "image_extractor", version: "v1") { featureUri indexName outputName dimensions distance datatype model } }`);
    expect(result.data?.extractor).toEqual({
      featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
      indexName: 'image_extractor_v1_embedding',
      outputName: 'google_siglip_base_v1',
      dimensions: 768,
      distance: 'cosine',
      datatype: 'float32',
      model: 'google/siglip-base-patch16-224',
    });
  });

  it('carries a service error code and details in extensions', async () => {
    const result = await run(`{ search(collection: "nope", query: { text: "shoe" }) { hits { id } } }`);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'COLLECTION_NOT_FOUND', details: { collection: 'nope' } });
    expect(result.errors?.[0]?.message).toBe('no collection "nope"');
  });

  it('masks an unexpected error and logs it with the request id and stack', async () => {
    const result = await run(`{ search(collection: "explode", query: { text: "shoe" }) { hits { id } } }`);
    expect(result.errors?.[0]?.message).toBe('internal error');
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(result)).not.toContain('secret-internal');
    const logged = logLines.find((l) => l.msg === 'unexpected error');
    expect(logged?.requestId).toBe('req-test-1');
    expect(JSON.stringify(logged?.err)).toContain('secret-internal');
    expect((logged?.err as { stack?: string }).stack).toContain('TypeError');
  });

  it('keeps GraphQL validation and input codes', async () => {
    const unknownField = await run(`{ collections { nope } }`);
    expect(unknownField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await run(`query($l: Int) { search(collection: "products", limit: $l) { hits { id } } }`, { l: 'ten' });
    expect(badVariable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a query deeper than the limit, not counting introspection', async () => {
    const deep = await run(`{ collection(name: "products") { featureExtractor { fieldPassthrough { sourcePath } } } }`);
    expect(deep.errors).toBeUndefined();
    const tooDeep = await run(`fragment F on FieldPassthrough { sourcePath }
      query Deep { a: collection(name: "products") { featureExtractor { inputMappings { image } } }
        collections { featureExtractor { fieldPassthrough { ...F } parameters { enableThumbnails } } } }`);
    expect(tooDeep.errors).toBeUndefined();
    const withTypename = await run(`{ search(collection: "products") { hits { id } timing { totalMs } __typename } }`);
    expect(withTypename.errors).toBeUndefined();
    const introspection = await run(`{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }`);
    expect(introspection.errors).toBeUndefined();
  });

  /** Runs one operation on a server with some limits changed from their defaults. */
  async function runWithLimits(limits: Partial<GraphqlLimits>, query: string) {
    const limited = createApolloServer({ limits: { ...loadConfig({}).server.graphql, ...limits }, syncMaxObjects: 2, logger });
    await limited.start();
    try {
      const response = await limited.executeOperation(
        { query },
        { contextValue: { services, requestId: 'r', logger, signal: new AbortController().signal, access: FULL_ACCESS } },
      );
      if (response.body.kind !== 'single') throw new Error('single');
      return response.body.singleResult;
    } finally {
      await limited.stop();
    }
  }

  it('refuses selections nested past the depth limit with a validation error', async () => {
    const result = await runWithLimits({ maxDepth: 2 }, `query Deep { collection(name: "products") { featureExtractor { inputMappings { image } } } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toContain('Query depth limit of 2 exceeded, found 4.');
  });

  it('refuses a huge document while parsing it, before validating or running anything', async () => {
    // 30,000 fragments (210,000 tokens, 0.5 MB): parsed whole, they would fail validation as unused.
    const fragments = Array.from({ length: 30_000 }, (_, i) => `fragment F${i} on Collection { name }`).join('\n');
    const result = await run(`{ collections { name } }\n${fragments}`);
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(result.errors?.[0]?.message).toContain('5000 tokens');
  });

  it('refuses more aliased fields than the limit, running none of them', async () => {
    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `s${i}: search(collection: "products", query: { text: "q${i}" }) { hits { id } }`).join(' ')} }`;
    services.searches.length = 0;
    const over = await run(aliased(100));
    expect(over.data).toBeUndefined();
    expect(over.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.errors?.[0]?.message).toContain('Aliases limit of 15 exceeded, found 100.');
    expect(services.searches).toHaveLength(0);
    const atLimit = await run(aliased(15));
    expect(atLimit.errors).toBeUndefined();
    expect(services.searches).toHaveLength(15);
  });

  it('refuses an operation over the cost limit', async () => {
    const query = `{ collections { name documentCount featureExtractor { inputMappings { image } fieldPassthrough { sourcePath targetPath } } } }`;
    const over = await runWithLimits({ maxCost: 20 }, query);
    expect(over.data).toBeUndefined();
    expect(over.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.errors?.[0]?.message).toContain('Query Cost limit of 20 exceeded');
    expect((await runWithLimits({ maxCost: 100 }, query)).errors).toBeUndefined();
  });

  it('passes a typed filter, limit and offset down as the store filter', async () => {
    services.searches.length = 0;
    const result = await run(
      `query($f: FilterInput) { search(collection: "products", filter: $f, limit: 3, offset: 6) { hits { id score fields } } }`,
      { f: { must: [{ key: 'category', match: 'footwear' }, { key: 'price', range: { lte: 120 } }] } },
    );
    expect(result.errors).toBeUndefined();
    expect(services.searches).toEqual([
      {
        query: null,
        limit: 3,
        offset: 6,
        filter: { must: [{ key: 'category', match: { value: 'footwear' } }, { key: 'price', range: { lte: 120 } }] },
      },
    ]);
  });

  it('passes per-query accuracy knobs down and refuses an hnswEf or oversampling out of range', async () => {
    services.searches.length = 0;
    const result = await run(`{ search(collection: "products", exact: true, hnswEf: 256, rescore: false, oversampling: 3) { hits { id } } }`);
    expect(result.errors).toBeUndefined();
    expect(services.searches[0]).toMatchObject({ accuracy: { exact: true, hnswEf: 256, rescore: false, oversampling: 3 } });
    const ef = await run(`{ search(collection: "products", hnswEf: 0) { hits { id } } }`);
    expect(ef.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { hnswEf: 0 } });
    const over = await run(`{ search(collection: "products", oversampling: 0.5) { hits { id } } }`);
    expect(over.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a search query that sets two kinds, an empty text, or a bad limit', async () => {
    const two = await run(`{ search(collection: "products", query: { text: "a", documentId: "x" }) { hits { id } } }`);
    expect(two.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const empty = await run(`{ search(collection: "products", query: { text: "  " }) { hits { id } } }`);
    expect(empty.errors?.[0]?.extensions?.code).toBe('EMPTY_INPUT');
    const limit = await run(`{ search(collection: "products", limit: 0) { hits { id } } }`);
    expect(limit.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badFilter = await run(`{ search(collection: "products", filter: { must: [{ key: "a" }] }) { hits { id } } }`);
    expect(badFilter.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_FILTER', details: { path: 'filter.must[0]' } });
    const deep = await run(`{ search(collection: "products", offset: 100001) { hits { id } } }`);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { max: 100000 } });
  });

  it('refuses a FilterValue that is not a scalar', async () => {
    const result = await run(`query($f: FilterInput) { search(collection: "products", filter: $f) { hits { id } } }`, {
      f: { must: [{ key: 'a', match: { nested: 1 } }] },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports each ingested object, failed ones with their code, and runs large batches as a job', async () => {
    const small = await run(`mutation($o: [JSON!]!) { ingest(collection: "products", objects: $o) {
      results { index status documentIds error { code message } } job { id } } }`, { o: [{ a: 1 }, { bad: true }] });
    expect(small.data?.ingest).toEqual({
      results: [
        { index: 0, status: 'STORED', documentIds: ['doc-0'], error: null },
        { index: 1, status: 'FAILED', documentIds: [], error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'not an image' } },
      ],
      job: null,
    });
    const large = await run(`mutation($o: [JSON!]!) { ingest(collection: "products", objects: $o) {
      results { index } job { id state total done failed } } }`, { o: [{}, {}, {}] });
    expect(large.data?.ingest).toEqual({ results: null, job: { id: 'job-1', state: 'QUEUED', total: 3, done: 0, failed: 0 } });
    const unknownJob = await run(`{ ingestJob(id: "nope") { id } }`);
    expect(unknownJob.errors?.[0]?.extensions?.code).toBe('JOB_NOT_FOUND');
  });

  it('deletes documents by ids or by filter, but not both', async () => {
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    const byIds = await run(`mutation { deleteDocuments(collection: "products", ids: ["${a}", "${b}"]) { deleted } }`);
    expect(byIds.data?.deleteDocuments).toEqual({ deleted: 2 });
    const both = await run(`mutation { deleteDocuments(collection: "products", ids: ["${a}"], filter: { must: [{ key: "x", match: 1 }] }) { deleted } }`);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a delete that names nothing, saying how to delete everything', async () => {
    for (const args of ['', 'filter: {}', 'ids: []', 'filter: { should: [] }', 'filter: { must: [{ filter: {} }] }', 'all: false']) {
      const result = await run(`mutation { deleteDocuments(collection: "products"${args ? `, ${args}` : ''}) { deleted } }`);
      expect(result.errors?.[0]?.extensions?.code, args).toBe('UNSCOPED_DELETE');
      expect(result.errors?.[0]?.message).toMatch(/pass all: true/);
    }
    const all = await run(`mutation { deleteDocuments(collection: "products", all: true) { deleted } }`);
    expect(all.errors).toBeUndefined();
  });

  it('refuses to create a collection whose name is taken', async () => {
    const result = await run(`mutation { createCollection(name: "products", featureExtractor: { inputMappings: { image: "img" } }) { name } }`);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'COLLECTION_EXISTS', details: { name: 'products' } });
  });
});
