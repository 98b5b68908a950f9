/**
 * The embedded store alone, in a process of its own, so that its memory is
 * its own and not the benchmark's (which also holds peers, fixtures and the
 * query set): opens the collection the parent built, runs the three kinds of
 * search once each (so every lazily built structure exists), and prints its
 * figures as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { IMAGE_FEATURE } from '../src/collections/collection-service.ts';
import { silentLogger } from '../src/logger.ts';
import { createEmbeddedStore } from '../src/store/embedded-store.ts';
import type { Filter } from '../src/store/filter.ts';
import { startLagMonitor } from './measure.ts';
import { vectorSource, type Distribution } from './store-vectors.ts';

export interface StoreChildArgs {
  dataDir: string;
  collection: string;
  distribution: Distribution;
  /** A query vector's index in the distribution (past the stored ones). */
  queryIndex: number;
  filter: Filter;
}

export interface StoreMemory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface StoreChildResult {
  openMs: number;
  /** The longest the event loop was blocked while the collection opened. */
  openLagMaxMs: number;
  /** Bytes, after opening and searching. */
  memory: StoreMemory;
}

async function main(args: StoreChildArgs): Promise<StoreChildResult> {
  const lag = startLagMonitor(5);
  const t0 = performance.now();
  const store = createEmbeddedStore({ dataDir: args.dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
  await store.count(args.collection);
  const openMs = performance.now() - t0;
  const openLagMaxMs = lag.stop().max;
  const vector = vectorSource(args.distribution, 11)(args.queryIndex);
  for (const knobs of [{ exact: true }, {}, { filter: args.filter }]) await store.search(args.collection, { vector, limit: 10, ...knobs });
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  await store.close();
  return { openMs, openLagMaxMs, memory: { rss, heapUsed, external, arrayBuffers } };
}

process.stdout.write(`${JSON.stringify(await main(JSON.parse(process.argv[2] as string) as StoreChildArgs))}\n`);
