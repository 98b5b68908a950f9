/**
 * Issue 11 item 4: the playground's example tabs are a working first stop.
 * Each operation and its variables validate against the schema (what GraphiQL
 * underlines otherwise), and each runs without errors against a real app whose
 * `products` collection is the one `npm run seed` creates, the ingest example
 * (an inline data: URI, no network) storing its object.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, getVariableValues, getNamedType, parse, typeFromAST, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_PATH } from '../../src/api/apollo.ts';
import { EXAMPLE_OPERATIONS } from '../../src/api/playground/examples.ts';
import { FilterValueScalar } from '../../src/api/scalars.ts';
import { ensureSeedCollection } from '../../seed/seed-products.ts';
import { serveApi, startTestApp, type TestApi } from './harness.ts';

const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));
// buildSchema's scalars accept anything; FilterValue's own coercion rejects what the server rejects.
Object.assign(schema.getType('FilterValue')!, { parseValue: FilterValueScalar.parseValue, parseLiteral: FilterValueScalar.parseLiteral });

const examples = EXAMPLE_OPERATIONS.map((op) => {
  const document = parse(op.query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const variables = op.variables === undefined ? {} : (JSON.parse(op.variables) as Record<string, unknown>);
  return { name: operation.name!.value, document, operation, variables, query: op.query };
});

describe('playground examples', () => {
  it.each(examples)('$name validates against the schema, variables included', ({ document, operation, variables }) => {
    expect(validate(schema, document)).toEqual([]);
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    expect(coerced.errors).toBeUndefined();
    for (const definition of operation.variableDefinitions ?? []) {
      // GraphiQL types a custom scalar's variable as string/number/boolean: a JSON object there is underlined red.
      expect(getNamedType(typeFromAST(schema, definition.type as never)!)?.name).not.toBe('JSON');
    }
  });

  it('opens on the collections query that says how to load the demo catalogue', () => {
    expect(examples[0]!.name).toBe('Collections');
    expect(examples[0]!.query).toContain('npm run seed');
    expect(examples[0]!.query).toContain('SIGHTLINE_URL');
  });

  describe('against the collection `npm run seed` creates', () => {
    let app: Awaited<ReturnType<typeof startTestApp>>;
    let api: TestApi;
    const run = (name: string) => {
      const example = examples.find((e) => e.name === name)!;
      return api.post<Record<string, unknown>>(example.query, example.variables);
    };

    beforeAll(async () => {
      app = await startTestApp();
      api = await serveApi(app);
      await ensureSeedCollection(api.graphql);
    });

    afterAll(async () => {
      await api?.close();
      await app?.dispose();
    });

    it('the ingest example stores its inline image without any network', async () => {
      const answer = await run('Ingest');
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toMatchObject({ ingest: { results: [{ index: 0, status: 'STORED', error: null }] } });
    });

    it('every other example runs without errors and the filtered lookup finds the ingested product', async () => {
      await run('Ingest');
      for (const { name } of examples.filter((e) => e.name !== 'Ingest')) {
        const answer = await run(name);
        expect({ name, errors: answer.errors }).toEqual({ name, errors: undefined });
      }
      const lookup = (await run('FilteredLookup')).data as { search: { hits: { fields: { sku: string } }[] } };
      expect(lookup.search.hits.map((h) => h.fields.sku)).toEqual(['SL-DEMO-1']);
      const collections = (await run('Collections')).data as { collections: { name: string; documentCount: number }[] };
      expect(collections.collections).toContainEqual(expect.objectContaining({ name: 'products', documentCount: 1 }));
    });
  });
});
