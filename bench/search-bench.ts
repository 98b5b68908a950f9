/**
 * Issue #3's search figures: exact (brute-force) search latency in the
 * embedded store over 10k and 100k vectors, beside the memory-bandwidth
 * bound: a search must at least read every vector once.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IMAGE_FEATURE } from '../src/collections/collection-service.ts';
import type { DocumentFields } from '../src/collections/document-fields.ts';
import { silentLogger } from '../src/logger.ts';
import { createEmbeddedStore } from '../src/store/embedded-store.ts';
import type { PointInput, VectorStore } from '../src/store/vector-store.ts';
import { seededRandom } from '../src/extractor/model-generate/seeded-random.ts';
import { summarise, type Latency } from './measure.ts';

export interface SearchSizeResult {
  vectors: number;
  unfiltered: Latency;
  filtered: Latency;
  /** Time to read every vector once at the measured bandwidth. */
  bandwidthBoundMs: number;
}

export interface SearchBenchResult {
  sizes: SearchSizeResult[];
  bandwidthGBps: number;
}

const DIM = 768;
const CATEGORIES = ['shoes', 'bags', 'hats', 'shirts', 'watches', 'mugs', 'lamps', 'chairs', 'desks', 'rugs'];

/** Values in [-0.5, 0.5), the same every run. */
function centred(seed: number): () => number {
  const random = seededRandom(seed);
  return () => random() - 0.5;
}

export function uuidFor(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function randomVector(next: () => number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = next();
  return v;
}

/** The fields ingest writes on every document: the API reads them back through their schema and refuses a document without them. */
function storedFields(i: number): DocumentFields {
  return {
    source: `https://images.example.com/p/${i}.jpg`,
    content_type: 'image/jpeg',
    page_number: null,
    total_pages: null,
    width: 640,
    height: 480,
    thumbnail_url: null,
    processing_time_ms: 0,
    ingested_at: '2026-01-01T00:00:00.000Z',
  };
}

export async function fillStore(store: VectorStore, collection: string, count: number, seed = 7): Promise<void> {
  const next = centred(seed);
  for (let start = 0; start < count; start += 5000) {
    const points: PointInput[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      points.push({
        id: uuidFor(i),
        vector: randomVector(next),
        payload: { ...storedFields(i), metadata: { sku: `SKU-${i}`, category: CATEGORIES[i % CATEGORIES.length], price: (i % 500) + 0.99 } },
      });
    }
    await store.upsert(collection, points);
  }
}

/** Sequential read bandwidth of a Float32Array scan from JavaScript, best of 5. */
export function measureReadBandwidthGBps(): number {
  const data = new Float32Array(64 * 1024 * 1024); // 256 MiB: far beyond any cache
  data.fill(1);
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (let i = 0; i < data.length; i += 4) {
      a += data[i] as number;
      b += data[i + 1] as number;
      c += data[i + 2] as number;
      d += data[i + 3] as number;
    }
    sink += a + b + c + d;
    best = Math.min(best, performance.now() - t0);
  }
  if (sink === 0) throw new Error('unreachable: keeps the loop alive');
  return data.byteLength / (best / 1000) / 1e9;
}

async function latencies(rounds: number, run: (i: number) => Promise<unknown>): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await run(i);
    times.push(performance.now() - t0);
  }
  return summarise(times);
}

export async function runSearchBench(sizes: number[], rounds: number): Promise<SearchBenchResult> {
  const bandwidthGBps = measureReadBandwidthGBps();
  const results: SearchSizeResult[] = [];
  for (const count of sizes) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-bench-search-'));
    const store = createEmbeddedStore({ dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
    try {
      await store.createCollection('bench', { feature: IMAGE_FEATURE, config: {} });
      await fillStore(store, 'bench', count);
      const next = centred(99);
      const queries = Array.from({ length: 16 }, () => randomVector(next));
      await store.search('bench', { vector: queries[0] as Float32Array, limit: 10 }); // loads the matrix
      // exact: this section measures the brute-force path; the store's HNSW path has its own section (store-bench.ts).
      const unfiltered = await latencies(rounds, (i) => store.search('bench', { vector: queries[i % 16] as Float32Array, limit: 10, exact: true }));
      const filter = { must: [{ key: 'metadata.category', match: { value: 'shoes' } }] };
      const filtered = await latencies(rounds, (i) =>
        store.search('bench', { vector: queries[i % 16] as Float32Array, limit: 10, filter, exact: true }),
      );
      results.push({ vectors: count, unfiltered, filtered, bandwidthBoundMs: ((count * DIM * 4) / (bandwidthGBps * 1e9)) * 1000 });
    } finally {
      await store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }
  return { sizes: results, bandwidthGBps };
}
