/**
 * The libraries the embedded store's index was chosen against, each built on
 * the same vectors and asked the same queries as the store (limit 10, recall
 * against the store's exact answer, filtered or not). Bench-only devDependencies.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as lancedb from '@lancedb/lancedb';
import Database from 'better-sqlite3';
import hnswlib from 'hnswlib-node';
import * as sqliteVec from 'sqlite-vec';
import { summarise, type Latency } from './measure.ts';
import { uuidFor } from './search-bench.ts';
import { DIM, recallAt } from './store-vectors.ts';

export interface PeerContext {
  count: number;
  vectorAt: (i: number) => Float32Array;
  queries: Float32Array[];
  /** The store's exact top-10 ids per query. */
  truth: string[][];
  /** The same among the points with `tenth = 0` (every tenth point). */
  filteredTruth: string[][];
  dir: string;
  limit: number;
}

export interface PeerSearch {
  search: string;
  latency: Latency;
  recall: number;
}

export interface PeerResult {
  engine: string;
  buildSeconds: number;
  searches: PeerSearch[];
  note?: string;
}

export interface Peer {
  name: string;
  run(ctx: PeerContext): Promise<PeerResult>;
}

async function timeQueries(ctx: PeerContext, search: (q: Float32Array) => Promise<number[]> | number[]): Promise<{ latency: Latency; ids: string[][] }> {
  await search(ctx.queries[0]!);
  const times: number[] = [];
  const ids: string[][] = [];
  for (const q of ctx.queries) {
    const t0 = performance.now();
    const found = await search(q);
    times.push(performance.now() - t0);
    ids.push(found.map(uuidFor));
  }
  return { latency: summarise(times), ids };
}

const hnswlibNode: Peer = {
  name: 'hnswlib-node',
  async run(ctx) {
    const t0 = performance.now();
    const index = new hnswlib.HierarchicalNSW('cosine', DIM);
    index.initIndex(ctx.count, 16, 128, 100);
    for (let i = 0; i < ctx.count; i++) index.addPoint(Array.from(ctx.vectorAt(i)), i);
    const buildSeconds = (performance.now() - t0) / 1000;
    index.setEf(128);
    const plain = await timeQueries(ctx, (q) => index.searchKnn(Array.from(q), ctx.limit).neighbors);
    const filtered = await timeQueries(ctx, (q) => index.searchKnn(Array.from(q), ctx.limit, (label) => label % 10 === 0).neighbors);
    return {
      engine: 'hnswlib-node 3.0.0 (HNSW f32, M 16, ef 128, one thread)',
      buildSeconds,
      searches: [
        { search: 'HNSW', latency: plain.latency, recall: recallAt(plain.ids, ctx.truth) },
        { search: '10 % filter (callback in the walk)', latency: filtered.latency, recall: recallAt(filtered.ids, ctx.filteredTruth) },
      ],
    };
  },
};

const sqliteVecPeer: Peer = {
  name: 'sqlite-vec',
  async run(ctx) {
    const db = new Database(path.join(ctx.dir, 'vec.db'));
    try {
      sqliteVec.load(db);
      db.exec(`CREATE VIRTUAL TABLE v USING vec0(embedding float[${DIM}] distance_metric=cosine, tenth integer)`);
      const insert = db.prepare('INSERT INTO v (rowid, embedding, tenth) VALUES (?, ?, ?)');
      const t0 = performance.now();
      for (let start = 0; start < ctx.count; start += 4096) {
        db.transaction(() => {
          for (let i = start; i < Math.min(ctx.count, start + 4096); i++) insert.run(BigInt(i), Buffer.from(ctx.vectorAt(i).buffer), BigInt(i % 10));
        })();
      }
      const buildSeconds = (performance.now() - t0) / 1000;
      const knn = db.prepare<[Buffer, number], { rowid: number }>('SELECT rowid FROM v WHERE embedding MATCH ? AND k = ? ORDER BY distance');
      const knnTenth = db.prepare<[Buffer, number], { rowid: number }>(
        'SELECT rowid FROM v WHERE embedding MATCH ? AND k = ? AND tenth = 0 ORDER BY distance',
      );
      const plain = await timeQueries(ctx, (q) => knn.all(Buffer.from(q.buffer), ctx.limit).map((r) => Number(r.rowid)));
      const filtered = await timeQueries(ctx, (q) => knnTenth.all(Buffer.from(q.buffer), ctx.limit).map((r) => Number(r.rowid)));
      return {
        engine: 'sqlite-vec 0.1.9 (vec0, brute force)',
        buildSeconds,
        searches: [
          { search: 'exact', latency: plain.latency, recall: recallAt(plain.ids, ctx.truth) },
          { search: '10 % filter (metadata column)', latency: filtered.latency, recall: recallAt(filtered.ids, ctx.filteredTruth) },
        ],
      };
    } finally {
      db.close();
    }
  },
};

/**
 * LanceDB's index for the best recall/latency trade-off, as its indexing guide
 * ranks them: IVF_HNSW_SQ, an HNSW graph over 8-bit scalar-quantized vectors in
 * each IVF partition. One partition (one graph), as its options advise for HNSW
 * unless training one graph needs too much memory; m 20 and efConstruction 300
 * are its defaults. Searches walk with ef 128 (as the other graphs here; its
 * default is 1.5 × limit) and rescore limit × 2 candidates on the float32
 * vectors (refine factor 2), as the embedded store rescores twice the limit.
 */
const LANCE_INDEX = { distanceType: 'cosine', numPartitions: 1 } as const;
const LANCE_EF = 128;
const LANCE_REFINE = 2;

async function writeLanceTable(db: lancedb.Connection, ctx: PeerContext): Promise<lancedb.Table> {
  // A column named `vector` of number arrays becomes a fixed-size list of float32 (makeArrowTable's default).
  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, j) => ({ id: from + j, tenth: (from + j) % 10, vector: Array.from(ctx.vectorAt(from + j)) }));
  const table = await db.createTable('v', rows(0, Math.min(ctx.count, 4096)));
  for (let start = 4096; start < ctx.count; start += 4096) await table.add(rows(start, Math.min(ctx.count, start + 4096)));
  // Each add wrote a fragment; compaction leaves one, as a bulk load would.
  await table.optimize();
  return table;
}

const lanceDbPeer: Peer = {
  name: 'LanceDB',
  async run(ctx) {
    const db = await lancedb.connect(path.join(ctx.dir, 'lance'));
    try {
      const t0 = performance.now();
      const table = await writeLanceTable(db, ctx);
      const t1 = performance.now();
      await table.createIndex('vector', { config: lancedb.Index.hnswSq(LANCE_INDEX) });
      const t2 = performance.now();
      // Naming `_distance` among the columns keeps Lance from warning, on every query, that it adds it unasked.
      const search = (shape: (q: lancedb.VectorQuery) => lancedb.VectorQuery) => async (q: Float32Array) => {
        const found = await shape(table.vectorSearch(q).distanceType('cosine').select(['id', '_distance']).limit(ctx.limit)).toArray();
        return found.map((row: { id: number }) => Number(row.id));
      };
      const graph = (q: lancedb.VectorQuery) => q.ef(LANCE_EF).refineFactor(LANCE_REFINE);
      const flat = await timeQueries(ctx, search((q) => q.bypassVectorIndex()));
      const indexed = await timeQueries(ctx, search(graph));
      // `where` filters before the vector search unless postfilter() is asked for: exact filter semantics.
      const filtered = await timeQueries(ctx, search((q) => graph(q.where('tenth = 0'))));
      table.close();
      return {
        engine: `LanceDB 0.37.1 (Lance files on disk; IVF_HNSW_SQ, 1 partition, m 20, efConstruction 300)`,
        buildSeconds: (t2 - t0) / 1000,
        searches: [
          { search: 'flat scan (index bypassed: exact)', latency: flat.latency, recall: recallAt(flat.ids, ctx.truth) },
          { search: `IVF_HNSW_SQ, ef ${LANCE_EF}, refine ×${LANCE_REFINE}`, latency: indexed.latency, recall: recallAt(indexed.ids, ctx.truth) },
          { search: '10 % filter (prefilter `tenth = 0`), same index', latency: filtered.latency, recall: recallAt(filtered.ids, ctx.filteredTruth) },
        ],
        note: `table written in ${((t1 - t0) / 1000).toFixed(0)} s (4096-row appends, then compacted), index built in ${((t2 - t1) / 1000).toFixed(0)} s`,
      };
    } finally {
      db.close();
    }
  },
};

export const PEERS: Peer[] = [hnswlibNode, sqliteVecPeer, lanceDbPeer];
