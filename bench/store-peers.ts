/**
 * The libraries the embedded store's index was chosen against, each built on
 * the same vectors and asked the same queries as the store (limit 10, recall
 * against the store's exact answer). Bench-only devDependencies.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
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
  dir: string;
  limit: number;
}

export interface PeerSearch {
  search: string;
  latency: Latency;
  recall: number | undefined;
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
        { search: '10 % filter (callback in the walk)', latency: filtered.latency, recall: undefined },
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
          { search: '10 % filter (metadata column)', latency: filtered.latency, recall: undefined },
        ],
      };
    } finally {
      db.close();
    }
  },
};

export const PEERS: Peer[] = [hnswlibNode, sqliteVecPeer];
