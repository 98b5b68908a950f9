/**
 * The embedded store's approximate nearest-neighbour index: a usearch HNSW
 * graph over int8 copies of the vectors, keyed by each point's SQLite rowid.
 * It only proposes candidates; the store rescores them against the float32
 * rows it holds, so scores are exact and the int8 error only costs recall,
 * which the oversampling below buys back.
 *
 * Why int8, quantised per vector: usearch's own f32→i8 cast multiplies by 127
 * and clamps, which leaves a unit 768-d vector (components ≈ ±0.04) with a
 * handful of levels, the 0.76 recall measured in issue 10. Scaling each vector
 * so its largest component is ±127 uses the whole range; cosine ignores the
 * scale. A quarter of f32's memory (768 MiB of vectors at 1M points) and the
 * fastest build of the three types we measured (BENCHMARKS.md).
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

  /** Adds or replaces the points `keys[i]` with `vectors[i]`. */
  put(keys: number[], vectors: Float32Array[]): void {
    if (keys.length === 0) return;
    this.remove(keys);
    const packed = new Int8Array(keys.length * this.dimensions);
    vectors.forEach((v, i) => quantiseInto(v, packed, i * this.dimensions));
    this.index.add(BigUint64Array.from(keys, BigInt), packed, 0);
  }

  remove(keys: number[]): void {
    const present = keys.filter((k) => this.index.contains(BigInt(k)));
    if (present.length > 0) this.index.remove(BigUint64Array.from(present, BigInt));
  }

  /**
   * Keys of up to `count` nearest points. usearch widens its beam to the
   * number of results asked for, so `count` is also the effective ef.
   */
  search(query: Float32Array, count: number): number[] {
    if (this.size === 0 || count <= 0) return [];
    const packed = new Int8Array(this.dimensions);
    quantiseInto(query, packed, 0);
    return Array.from(this.index.search(packed, count, 1).keys, Number);
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

/** `v` scaled so its largest component is ±127, written at `out[at…]`. A zero vector stays zero. */
function quantiseInto(v: Float32Array, out: Int8Array, at: number): void {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  if (max === 0) return;
  const scale = 127 / max;
  for (let i = 0; i < v.length; i++) out[at + i] = Math.round(v[i]! * scale);
}
