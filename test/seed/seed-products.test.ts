/**
 * The seed's GraphQL operations against the real API layer (stub services
 * behind it): they must validate against the schema and read its answers.
 */
import { adminKey, loadConfig } from '../../src/config.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/logger.ts';
import { loadCatalogue } from '../../seed/catalogue.ts';
import { generateSeedFiles } from '../../seed/generate.ts';
import { createGraphqlClient } from '../../seed/graphql-client.ts';
import { ensureSeedCollection, ingestSeedObjects, seedObjects } from '../../seed/seed-products.ts';
import { createStubServices } from '../api/stub-services.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-seed-load-'));
const services = createStubServices();
let server: SightlineHttpServer;
let endpoint: string;

beforeAll(async () => {
  server = await createHttpServer({
    services,
    logger: createLogger('silent'),
    config: { port: 0, host: '127.0.0.1', publicBaseUrl: undefined, apiKeys: [adminKey('seed-key')], graphql: loadConfig({}).server.graphql, syncMaxObjects: 64 },
  });
  endpoint = `${await server.listen()}/graphql`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('seed loader', () => {
  it('creates (or reuses) the products collection and ingests every product and spec sheet', async () => {
    const created: unknown[] = [];
    const create = services.collections.create;
    services.collections.create = async (name, extractor) => {
      created.push({ name, extractor });
      return create(name, extractor);
    };
    const request = createGraphqlClient({ endpoint, apiKey: 'seed-key', timeoutMs: 10_000 });
    // The stub's `products` maps metadata.* like the README's tour: the seed refuses it, saying how to fix it.
    await expect(ensureSeedCollection(request)).rejects.toThrow(/already exists with other passthrough fields.*deleteCollection/);
    expect(created).toEqual([
      {
        name: 'products',
        extractor: {
          feature_extractor_name: 'image_extractor',
          version: 'v1',
          input_mappings: { image: 'product_image' },
          field_passthrough: ['sku', 'name', 'category', 'brand', 'price', 'tags', 'colour'].map((f) => ({
            source_path: `metadata.${f}`,
            target_path: f,
            required: false,
            type: f === 'price' ? 'float' : 'keyword',
          })),
          parameters: { enable_thumbnails: true },
        },
      },
    ]);

    const catalogue = loadCatalogue();
    const objects = await seedObjects(catalogue, await generateSeedFiles(catalogue, dir));
    expect(objects).toHaveLength(catalogue.products.length + catalogue.specSheets.length);
    expect(String(objects[0]!.object.product_image)).toMatch(/^data:image\/png;base64,/);
    expect(String(objects.at(-1)!.object.product_image)).toMatch(/^data:application\/pdf;base64,/);
    const progress: number[] = [];
    const outcome = await ingestSeedObjects(request, objects, 8, (done) => progress.push(done));
    expect(outcome).toEqual({ documents: objects.length, failures: [] });
    expect(progress.at(-1)).toBe(objects.length);
  });

  it('fails with the server code when the key is wrong', async () => {
    const request = createGraphqlClient({ endpoint, apiKey: 'wrong', timeoutMs: 10_000 });
    await expect(ensureSeedCollection(request)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
