/**
 * `npx tsx bench/store-tune.ts --n 300000 --dir /tmp/tune/300k`: builds (once)
 * a clustered collection in `dir`, then prints recall@10 and latency of the
 * graph search at several beam widths and of the 10 % filter at several
 * oversampling factors. Tuning aid for the embedded store's defaults.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { IMAGE_FEATURE } from '../src/collections/collection-service.ts';
import { silentLogger } from '../src/logger.ts';
import { createEmbeddedStore } from '../src/store/embedded-store.ts';
import type { SearchQuery, VectorStore } from '../src/store/vector-store.ts';
import { startLagMonitor, summarise } from './measure.ts';
import { uuidFor } from './search-bench.ts';
import { recallAt, vectorSource } from './store-vectors.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dir: { type: 'string' },
    queries: { type: 'string', default: '100' },
    efs: { type: 'string', default: '64,128,192,256,384,512' },
    fefs: { type: 'string', default: '64,128,256' },
    skip: { type: 'string', default: '' },
  },
});
const n = Number(values.n);
const dataDir = values.dir ?? `/tmp/tune/${n}`;
const vectorAt = vectorSource('clustered', 11);
const queries = Array.from({ length: Number(values.queries) }, (_, q) => vectorAt(n + q));
const TENTH = { must: [{ key: 'tenth', match: { value: 0 } }] };
const mem = () => {
  const m = process.memoryUsage();
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 2 ** 20)]));
};

async function measure(store: VectorStore, knobs: Partial<SearchQuery>) {
  await store.search('bench', { vector: queries[0]!, limit: 10, ...knobs });
  const times: number[] = [];
  const ids: string[][] = [];
  for (const vector of queries) {
    const t0 = performance.now();
    const hits = await store.search('bench', { vector, limit: 10, ...knobs });
    times.push(performance.now() - t0);
    ids.push(hits.map((h) => h.id));
  }
  return { latency: summarise(times), ids };
}

if (!fs.existsSync(`${dataDir}/sightline.db`)) {
  fs.mkdirSync(dataDir, { recursive: true });
  const store = createEmbeddedStore({ dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
  await store.createCollection('bench', { feature: IMAGE_FEATURE, config: {} });
  const t0 = performance.now();
  for (let start = 0; start < n; start += 4096) {
    const points = [];
    for (let i = start; i < Math.min(n, start + 4096); i++) points.push({ id: uuidFor(i), vector: vectorAt(i), payload: { tenth: i % 10, n: i } });
    await store.upsert('bench', points);
  }
  console.log(`built ${n} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await store.close();
}
const lag = startLagMonitor(5);
const t1 = performance.now();
const store = createEmbeddedStore({ dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
await store.count('bench');
console.log(`open ${(performance.now() - t1).toFixed(0)} ms, longest block ${lag.stop().max.toFixed(0)} ms`, mem());
const skip = new Set(values.skip.split(','));
const exact = await measure(store, { exact: true });
console.log(`exact p50 ${exact.latency.p50.toFixed(2)} p99 ${exact.latency.p99.toFixed(2)}`);
if (!skip.has('ef')) {
  for (const ef of [undefined, ...values.efs.split(',').map(Number)]) {
    const r = await measure(store, { hnswEf: ef });
    console.log(`ef ${ef ?? 'default'}: p50 ${r.latency.p50.toFixed(2)} p99 ${r.latency.p99.toFixed(2)} recall ${recallAt(r.ids, exact.ids).toFixed(3)}`);
  }
}
if (!skip.has('filter')) {
  const exactF = await measure(store, { exact: true, filter: TENTH });
  console.log(`filter exact p50 ${exactF.latency.p50.toFixed(2)} p99 ${exactF.latency.p99.toFixed(2)}`);
  for (const ef of [undefined, ...values.fefs.split(',').map(Number)]) {
    const r = await measure(store, { filter: TENTH, hnswEf: ef });
    console.log(`filter ef ${ef ?? 'default'}: p50 ${r.latency.p50.toFixed(2)} p99 ${r.latency.p99.toFixed(2)} recall ${recallAt(r.ids, exactF.ids).toFixed(3)}`);
  }
}
console.log('mem', mem());
await store.close();
