/**
 * `npm run seed`: loads the demo catalogue into a running Sightline over
 * GraphQL. SIGHTLINE_URL (default http://localhost:4000/graphql) names the
 * endpoint, SIGHTLINE_API_KEY a key when the server requires one. This is a
 * client of the server, so it reads its own two variables, not src/config.ts.
 */
import cliProgress from 'cli-progress';
import { EXAMPLE_OPERATIONS } from '../src/api/playground/examples.ts';
import { loadCatalogue } from './catalogue.ts';
import { generateSeedFiles } from './generate.ts';
import { createGraphqlClient } from './graphql-client.ts';
import { SEED_COLLECTION, SeedCollectionMismatch, ensureSeedCollection, ingestSeedObjects, seedObjects } from './seed-products.ts';

/** A batch of uploads is embedded before the answer comes: give it time on a CPU. */
const REQUEST_TIMEOUT_MS = 300_000;
const BATCH_SIZE = 8;

async function main(): Promise<number> {
  const endpoint = process.env.SIGHTLINE_URL || 'http://localhost:4000/graphql';
  const request = createGraphqlClient({ endpoint, apiKey: process.env.SIGHTLINE_API_KEY || undefined, timeoutMs: REQUEST_TIMEOUT_MS });
  const catalogue = loadCatalogue();
  const files = await generateSeedFiles(catalogue);
  const collection = await ensureSeedCollection(request);
  process.stderr.write(`collection "${SEED_COLLECTION}" ${collection} at ${endpoint}\n`);

  const objects = await seedObjects(catalogue, files);
  const bar = new cliProgress.SingleBar({ format: 'ingesting [{bar}] {value}/{total} objects', stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(objects.length, 0);
  const outcome = await ingestSeedObjects(request, objects, BATCH_SIZE, (done) => bar.update(done)).finally(() => bar.stop());

  process.stderr.write(`stored ${outcome.documents} documents from ${objects.length} objects (spec sheets give one per page)\n`);
  for (const f of outcome.failures) process.stderr.write(`  failed ${f.label}: ${f.code} ${f.message}\n`);
  process.stdout.write(`\nTry these in the playground (open ${endpoint} in a browser):\n\n`);
  for (const op of EXAMPLE_OPERATIONS.slice(0, 3)) process.stdout.write(`${op.query}\n`);
  return outcome.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`seed failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!(err instanceof SeedCollectionMismatch)) process.stderr.write('Is Sightline running (npm start) and SIGHTLINE_URL pointing at its /graphql?\n');
    process.exit(2);
  },
);
