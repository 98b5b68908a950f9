/** One replica holds at most INGEST_MAX_JOBS unfinished ingest jobs, however they are asked for. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openJobRecords } from '../../src/ingest/job-records.ts';
import { PRODUCTS_EXTRACTOR, serveApi, startTestApp, type TestApi } from './harness.ts';

let app: Awaited<ReturnType<typeof startTestApp>>;
let api: TestApi;
// Never answers, so every job stays unfinished while the test looks.
const stall = http.createServer(() => undefined);

beforeAll(async () => {
  await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
  app = await startTestApp({ INGEST_SYNC_MAX_OBJECTS: '1', INGEST_MAX_JOBS: '2', INGEST_JOB_SHUTDOWN_WAIT_MS: '0' });
  await app.collections.create('products', PRODUCTS_EXTRACTOR);
  api = await serveApi(app);
});
afterAll(async () => {
  await api?.close();
  await app?.dispose();
  stall.closeAllConnections();
  await new Promise((resolve) => stall.close(resolve));
});

it('queues the first INGEST_MAX_JOBS of many aliased over-limit ingests and refuses the rest with JOB_QUEUE_FULL', async () => {
  const { port } = stall.address() as AddressInfo;
  const objects = [0, 1].map((i) => ({ product_image: `http://127.0.0.1:${port}/${i}.jpg` }));
  const fields = [0, 1, 2, 3].map((i) => `i${i}: ingest(collection: "products", objects: $objects) { job { id state } }`);
  const body = await api.post(`mutation($objects: [JSON!]!) { ${fields.join(' ')} }`, { objects });
  // Mutation fields run in order; the first refused one ends the request (ingest's payload is non-null).
  expect(body.errors?.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([['i2', 'JOB_QUEUE_FULL']]);
  const records = openJobRecords(app.config.dataDir);
  expect(records.unfinished()).toHaveLength(2);
  records.close();
});
