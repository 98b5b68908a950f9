// A server-side Sightline on DATA_DIR (argv[2]) that queues one ingest job of
// the objects in argv[3], prints the job id, and runs until it is killed.
import { createApp } from '../../src/app/app.ts';
import { silentLogger } from '../../src/logger.ts';
import { PRODUCTS_EXTRACTOR, testConfig } from './harness.ts';

const [dataDir, objects] = process.argv.slice(2);
// One object at a time, so the test knows which items were stored when it kills this process.
const app = createApp(testConfig(dataDir as string, { INGEST_CONCURRENCY: '1' }), silentLogger);
await app.model.start();
app.jobs.resume();
await app.collections.create('products', PRODUCTS_EXTRACTOR);
const job = app.jobs.start('products', JSON.parse(objects as string) as unknown[]);
process.stdout.write(`${JSON.stringify({ jobId: job.id })}\n`);
setInterval(() => {}, 1000);
