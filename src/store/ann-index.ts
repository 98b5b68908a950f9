/**
 * The embedded store's approximate nearest-neighbour index: a usearch HNSW
 * graph over the points' int8 codes (int8-codes.ts), keyed by each point's
 * SQLite rowid. It only proposes candidates with their int8 cosines; the
 * store rescores the ones that could make the page against the float32
 * vectors, so scores are exact and the int8 error only costs recall, which
 * the oversampling below buys back. A quarter of f32's memory (768 MiB of
 * vectors at 1M points) and the fastest build of the three types we
 * measured (BENCHMARKS.md).
 */
import fs from 'node:fs';
import { Index, MetricKind, ScalarKind } from 'usearch';

/** HNSW links per node (usearch's and Qdrant's default `m`). */
const CONNECTIVITY = 16;
/** Beam width while inserting (Qdrant's default `ef_construct` is 100, usearch's 128). */
const EXPANSION_ADD = 128;
/**
 * usearch's smallest search beam; it widens it to the number of results asked
 * for, which is how the store picks each search's beam (embedded-search.ts).
 */
const EXPANSION_SEARCH = 64;

export class AnnIndex {
  private readonly index: Index;

  constructor(readonly dimensions: number) {
    this.index = new Index({
      dimensions,
      metric: MetricKind.Cos,
      quantization: ScalarKind.I8,
      connectivity: CONNECTIVITY,
      expansion_add: EXPANSION_ADD,
      expansion_search: EXPANSION_SEARCH,
      multi: false,
    });
  }

  get size(): number {
    return this.index.size();
  }

  /** Adds or replaces the points `keys[i]`, whose codes are row i of `codes` (a buffer of its own). */
  put(keys: number[], codes: Int8Array): void {
    if (keys.length === 0) return;
    this.remove(keys);
    this.index.add(BigUint64Array.from(keys, BigInt), codes, 0);
  }

  remove(keys: number[]): void {
    const present = keys.filter((k) => this.index.contains(BigInt(k)));
    if (present.length > 0) this.index.remove(BigUint64Array.from(present, BigInt));
  }

  /**
   * Up to `count` nearest points to the query's codes, with their int8
   * cosines. usearch widens its beam to the number of results asked for, so
   * `count` is also the effective ef.
   */
  search(codes: Int8Array, count: number): { keys: number[]; cosines: number[] } {
    if (this.size === 0 || count <= 0) return { keys: [], cosines: [] };
    const found = this.index.search(codes, count, 1);
    return { keys: Array.from(found.keys, Number), cosines: Array.from(found.distances, (d) => 1 - d) };
  }

  /** Writes the index to `file` and flushes it to disk. */
  save(file: string): void {
    this.index.save(file);
    const fd = fs.openSync(file, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Replaces this index's contents with the file's (written by `save` for the same dimensions). */
  load(file: string): void {
    this.index.load(file);
  }
}
