/**
 * The matching points of the filters a collection was searched with most
 * recently, kept up to date through every write (see MatchCache).
 */
import type { PointPredicate } from './filter.ts';
import { BLOCK_ROWS, type PointMatrix, type SlotWatcher } from './point-matrix.ts';

/** How many filters' matches a collection keeps: each is a byte per point, plus 4 per match in block lists. */
const CACHED_FILTERS = 8;

/** One filter's matching slots: a flag per slot, and each block's matches as a list, rebuilt lazily after writes. */
export class Matches {
  private flags: Uint8Array;
  private lists: (Int32Array | undefined)[];
  private matching = 0;

  /** `perBlock[b]`: block b's matching slots, ascending, as a scan found them. */
  constructor(
    readonly pass: PointPredicate,
    perBlock: Int32Array[],
    size: number,
  ) {
    this.flags = new Uint8Array(Math.max(256, size));
    this.lists = [...perBlock];
    for (const slots of perBlock) {
      for (const slot of slots) this.flags[slot] = 1;
      this.matching += slots.length;
    }
  }

  get count(): number {
    return this.matching;
  }

  has(slot: number): boolean {
    return this.flags[slot] === 1;
  }

  /** Block b's matching slots, ascending, of a matrix with `rows` rows in it. */
  inBlock(b: number, rows: number): Int32Array {
    const cached = this.lists[b];
    if (cached) return cached;
    const from = b * BLOCK_ROWS;
    const slots = new Int32Array(rows);
    let n = 0;
    for (let slot = from; slot < from + rows; slot++) if (this.flags[slot] === 1) slots[n++] = slot;
    return (this.lists[b] = slots.slice(0, n));
  }

  set(slot: number, matching: boolean): void {
    if (slot >= this.flags.length) {
      const grown = new Uint8Array(Math.max(slot + 1, this.flags.length * 2));
      grown.set(this.flags);
      this.flags = grown;
    }
    const flag = matching ? 1 : 0;
    if (this.flags[slot] === flag) return;
    this.flags[slot] = flag;
    this.matching += matching ? 1 : -1;
    this.lists[Math.floor(slot / BLOCK_ROWS)] = undefined;
  }
}

/**
 * The matches of the filters searched most recently. Qdrant answers a filter
 * from payload indexes; a search page repeats the same filter query after
 * query, so the store evaluates the predicate over every point once, then
 * only on the points each write puts, with filter.ts's semantics untouched.
 */
export class MatchCache implements SlotWatcher {
  private readonly entries = new Map<string, Matches>();

  constructor(private readonly matrix: PointMatrix) {
    matrix.watch(this);
  }

  get(key: string): Matches | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  set(key: string, matches: Matches): void {
    this.entries.delete(key);
    this.entries.set(key, matches);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= CACHED_FILTERS) break;
      this.entries.delete(oldest);
    }
  }

  put(slot: number): void {
    const payload = this.matrix.payloadAt(slot);
    const id = this.matrix.idAt(slot);
    for (const m of this.entries.values()) m.set(slot, m.pass(payload, id));
  }

  removed(slot: number, last: number): void {
    for (const m of this.entries.values()) {
      m.set(slot, m.has(last));
      if (last !== slot) m.set(last, false);
    }
  }
}
