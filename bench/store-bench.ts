/**
 * Issue 10's store figures: the embedded store (SQLite + usearch HNSW) at
 * each size, exact and approximate, unfiltered and with a 10 % filter, beside
 * the memory-bandwidth bound measured in the same run and the peers it was
 * chosen over (hnswlib-node, sqlite-vec, LanceDB) on the same vectors.
 * Every block records how much CPU other processes used meanwhile
 * (load-marks.ts): these two cores are shared, and a figure measured while
 * others ran is marked as such.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { IMAGE_FEATURE } from '../src/collections/collection-service.ts';
import { silentLogger } from '../src/logger.ts';
import { defaultEf } from '../src/store/embedded-search.ts';
import { createEmbeddedStore } from '../src/store/embedded-store.ts';
import type { Filter } from '../src/store/filter.ts';
import type { SearchQuery, VectorStore } from '../src/store/vector-store.ts';
import { withLoadMark, type LoadMark } from './load-marks.ts';
import { summarise, type Latency } from './measure.ts';
import type { StoreChildArgs, StoreChildResult, StoreMemory } from './store-child.ts';
import { uuidFor } from './search-bench.ts';
import { PEERS, type PeerResult } from './store-peers.ts';
import { DIM, recallAt, vectorSource, type Distribution } from './store-vectors.ts';

export interface StoreBlockPlan {
  vectors: number;
  distribution: Distribution;
  /** Peers are built on the same vectors only where that finishes in minutes. */
  peers: boolean;
}

export interface StoreRow {
  engine: string;
  search: string;
  latency: Latency;
  /** Share of the exact top 10 found (1 for exact searches). */
  recall: number;
}

export interface StoreBlockResult extends StoreBlockPlan {
  buildSeconds: number;
  /** Opening and memory, measured in a process holding only the store (store-child.ts). */
  openMs: number;
  openLagMaxMs: number;
  storeMemory: StoreMemory;
  bandwidthBoundMs: number;
  rows: StoreRow[];
  peers: boolean;
  peerResults: PeerResult[];
  load: LoadMark;
}

export interface StoreBenchResult {
  bandwidthGBps: number;
  cores: number;
  blocks: StoreBlockResult[];
}

const LIMIT = 10;
const TENTH: Filter = { must: [{ key: 'tenth', match: { value: 0 } }] };

export const QUICK_BLOCKS: StoreBlockPlan[] = [
  { vectors: 10_000, distribution: 'clustered', peers: true },
  { vectors: 10_000, distribution: 'uniform', peers: false },
];
export const FULL_BLOCKS: StoreBlockPlan[] = [
  { vectors: 100_000, distribution: 'clustered', peers: true },
  { vectors: 100_000, distribution: 'uniform', peers: false },
  { vectors: 1_000_000, distribution: 'clustered', peers: false },
];

/**
 * Single-thread sequential read bandwidth, measured natively: `indexOf` of a
 * byte that is absent is memchr over the whole buffer (SIMD, one thread), so
 * it reads every byte once at the speed the memory system allows. Best of 5
 * over 512 MiB, far beyond any cache. (A JavaScript loop measures the JIT,
 * not the memory, and is slower than the native scan it is meant to bound.)
 */
export function nativeReadBandwidthGBps(): number {
  // Filled, so every page is real memory (untouched pages all map the kernel's one zero page, which caches).
  const data = Buffer.alloc(512 * 2 ** 20, 2);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    if (data.indexOf(1) !== -1) throw new Error('unreachable: the buffer holds only 2s');
    best = Math.min(best, performance.now() - t0);
  }
  return data.byteLength / (best / 1000) / 1e9;
}

export async function runStoreBench(plans: StoreBlockPlan[], queries: number, progress: (msg: string) => void): Promise<StoreBenchResult> {
  const bandwidthGBps = nativeReadBandwidthGBps();
  const blocks: StoreBlockResult[] = [];
  for (const plan of plans) {
    progress(`store: ${plan.vectors.toLocaleString('en')} ${plan.distribution} vectors`);
    const { value, load } = await withLoadMark(() => runBlock(plan, queries, bandwidthGBps, progress));
    blocks.push({ ...value, load });
  }
  return { bandwidthGBps, cores: os.cpus().length, blocks };
}

async function runBlock(plan: StoreBlockPlan, queryCount: number, bandwidthGBps: number, progress: (msg: string) => void): Promise<Omit<StoreBlockResult, 'load'>> {
  const vectorAt = vectorSource(plan.distribution, 11);
  const queryAt = vectorSource(plan.distribution, 11);
  // Queries come from the same distribution, from indexes past the stored ones.
  const queries = Array.from({ length: queryCount }, (_, q) => queryAt(plan.vectors + q));
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-bench-store-'));
  try {
    let store = createEmbeddedStore({ dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
    await store.createCollection('bench', { feature: IMAGE_FEATURE, config: {} });
    const t0 = performance.now();
    for (let start = 0; start < plan.vectors; start += 4096) {
      const points = [];
      for (let i = start; i < Math.min(plan.vectors, start + 4096); i++) {
        points.push({ id: uuidFor(i), vector: vectorAt(i), payload: { tenth: i % 10, n: i } });
      }
      await store.upsert('bench', points);
    }
    const buildSeconds = (performance.now() - t0) / 1000;
    progress(`store: built in ${buildSeconds.toFixed(0)} s; opening it alone in a child process`);
    await store.close();
    const alone = await storeAlone({ dataDir, collection: 'bench', distribution: plan.distribution, queryIndex: plan.vectors, filter: TENTH });

    store = createEmbeddedStore({ dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
    const exact = await measure(store, queries, { exact: true });
    const ef = defaultEf(plan.vectors);
    const rows: StoreRow[] = [
      { engine: 'Sightline embedded', search: 'exact (int8 SIMD scan, float32 rescoring)', latency: exact.latency, recall: 1 },
      await row(store, queries, exact.ids, `HNSW, default beam (ef ${ef} at this size)`, {}),
      await row(store, queries, exact.ids, 'HNSW, hnswEf 128', { hnswEf: 128 }),
    ];
    const exactFiltered = await measure(store, queries, { exact: true, filter: TENTH });
    rows.push({ engine: 'Sightline embedded', search: '10 % filter, exact (matches cached)', latency: exactFiltered.latency, recall: 1 });
    // A one-point write before each query: the first query after a write (the cached matches follow it, filter-matches.ts).
    const rewrite = () => store.upsert('bench', [{ id: uuidFor(0), vector: vectorAt(0), payload: { tenth: 0, n: 0 } }]);
    const fresh = await measure(store, queries, { exact: true, filter: TENTH }, rewrite);
    rows.push({ engine: 'Sightline embedded', search: '10 % filter, exact, first query after a write', latency: fresh.latency, recall: recallAt(fresh.ids, exactFiltered.ids) });
    rows.push(await row(store, queries, exactFiltered.ids, `10 % filter, planned (HNSW + exact filter, default beam)`, { filter: TENTH }));
    await store.close();

    const peerResults: PeerResult[] = [];
    if (plan.peers) {
      for (const peer of PEERS) {
        progress(`store: peer ${peer.name}`);
        peerResults.push(await peer.run({ count: plan.vectors, vectorAt, queries, truth: exact.ids, filteredTruth: exactFiltered.ids, dir: dataDir, limit: LIMIT }));
      }
    }
    return {
      ...plan,
      buildSeconds,
      openMs: alone.openMs,
      openLagMaxMs: alone.openLagMaxMs,
      storeMemory: alone.memory,
      bandwidthBoundMs: ((plan.vectors * DIM * 4) / (bandwidthGBps * 1e9)) * 1000,
      rows,
      peerResults,
    };
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const execFileAsync = promisify(execFile);

/** Opens the store in a process of its own (store-child.ts) and returns what it measured. */
async function storeAlone(args: StoreChildArgs): Promise<StoreChildResult> {
  const child = path.join(path.dirname(new URL(import.meta.url).pathname), 'store-child.ts');
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, JSON.stringify(args)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as StoreChildResult;
}

/** Times each query; `before` (untimed) runs ahead of each one. */
async function measure(
  store: VectorStore,
  queries: Float32Array[],
  knobs: Partial<SearchQuery>,
  before?: () => Promise<void>,
): Promise<{ latency: Latency; ids: string[][] }> {
  await store.search('bench', { vector: queries[0]!, limit: LIMIT, ...knobs }); // warm
  const times: number[] = [];
  const ids: string[][] = [];
  for (const vector of queries) {
    await before?.();
    const t0 = performance.now();
    const hits = await store.search('bench', { vector, limit: LIMIT, ...knobs });
    times.push(performance.now() - t0);
    ids.push(hits.map((h) => h.id));
  }
  return { latency: summarise(times), ids };
}

async function row(store: VectorStore, queries: Float32Array[], truth: string[][], search: string, knobs: Partial<SearchQuery>): Promise<StoreRow> {
  const { latency, ids } = await measure(store, queries, knobs);
  return { engine: 'Sightline embedded', search, latency, recall: recallAt(ids, truth) };
}
