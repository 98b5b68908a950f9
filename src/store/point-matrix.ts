/**
 * One collection's points as the embedded store holds them while open: ids,
 * keys and payloads in memory (payloads parsed once), each vector's int8
 * codes in a RowFile and its error bound δ in memory (int8-codes.ts), and a
 * slot per point. The float32 vectors stay in SQLite and are read back only
 * to rescore the few points a search cannot rule out: at a million 768-d
 * points they would take 2.9 GiB here.
 *
 * Deleting moves the last row into the hole, so rows stay dense and a scan
 * never skips. Scans go BLOCK_ROWS rows at a time and yield to the event
 * loop between blocks.
 */
import type { Payload } from './vector-store.ts';
import { quantiseInto } from './int8-codes.ts';
import { RowFile } from './row-file.ts';
import { compareIds } from './top-k.ts';

/** Rows a scan covers between yields: 12 MiB of 768-d codes, a few milliseconds. */
export const BLOCK_ROWS = 16_384;

/** Told of every change to a matrix's slots, after the matrix has made it. */
export interface SlotWatcher {
  /** The point at `slot` is new or replaced. */
  put(slot: number): void;
  /** The point at `slot` is gone and the last row, `last` (maybe `slot` itself), moved into it. */
  removed(slot: number, last: number): void;
}

export class PointMatrix {
  private readonly rows: RowFile;
  /** δ per slot (int8-codes.ts), grown by doubling. */
  private errors = new Float64Array(256);
  /** At least every live δ: what a scan assumes of the rows it did not see. */
  private largestError = 0;
  private ids: string[] = [];
  /** The point's key in the ANN index: its SQLite rowid, durable across restarts. */
  private keys: number[] = [];
  private payloads: Payload[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly slotOfKey = new Map<number, number>();
  /** Slots in id order; rebuilt lazily after writes. */
  private ordered: Int32Array | undefined;
  /**
   * Bumped whenever a point changes slot (a delete moves the last row into the
   * hole). A scan that yields between blocks is valid only while it is unchanged.
   */
  private layoutVersion = 0;
  /** Bumped by every put and remove: matches a scan computed from payloads may be kept only if it is unchanged since the scan began (watchers follow later writes). */
  private changeCount = 0;
  private readonly watchers: SlotWatcher[] = [];

  /** `dir` holds the codes' file (unlinked at once; see RowFile). */
  constructor(
    readonly dimensions: number,
    dir: string,
  ) {
    this.rows = new RowFile(dir, dimensions);
  }

  get size(): number {
    return this.ids.length;
  }

  get layout(): number {
    return this.layoutVersion;
  }

  get version(): number {
    return this.changeCount;
  }

  get blockCount(): number {
    return Math.ceil(this.size / BLOCK_ROWS);
  }

  /** How many of block `b`'s rows hold points. */
  rowsIn(b: number): number {
    return Math.min(BLOCK_ROWS, this.size - b * BLOCK_ROWS);
  }

  idAt(slot: number): string {
    return this.ids[slot]!;
  }

  keyAt(slot: number): number {
    return this.keys[slot]!;
  }

  payloadAt(slot: number): Payload {
    return this.payloads[slot]!;
  }

  /** δ of the codes at `slot`. */
  errorAt(slot: number): number {
    return this.errors[slot]!;
  }

  /** No live point's δ is larger. */
  get maxError(): number {
    return this.largestError;
  }

  /** Reads the codes of `rows` slots from `slot` into `into` at row `at`. */
  readCodes(slot: number, into: Int8Array, rows = 1, at = 0): void {
    this.rows.read(slot, into, rows, at);
  }

  /** readCodes on libuv's thread pool. */
  readCodesLater(slot: number, into: Int8Array, rows: number): Promise<void> {
    return this.rows.readLater(slot, into, rows);
  }

  close(): void {
    this.rows.close();
  }

  watch(watcher: SlotWatcher): void {
    this.watchers.push(watcher);
  }

  find(id: string): number | undefined {
    return this.slotOf.get(id);
  }

  findKey(key: number): number | undefined {
    return this.slotOfKey.get(key);
  }

  /**
   * Adds or replaces `points` (vectors already normalised) and returns their
   * int8 codes, one row each, in a buffer of their own: what the ANN index
   * takes.
   */
  putAll(points: ReadonlyArray<{ id: string; key: number; vector: Float32Array; payload: Payload }>): Int8Array {
    const codes = new Int8Array(points.length * this.dimensions);
    points.forEach((p, i) => {
      const at = i * this.dimensions;
      this.put(p.id, p.key, codes, at, quantiseInto(p.vector, codes, at), p.payload);
    });
    return codes;
  }

  /** Puts the point whose codes are `codes[at…]`, with their δ `error` (int8-codes.ts). */
  private put(id: string, key: number, codes: Int8Array, at: number, error: number, payload: Payload): void {
    const existing = this.slotOf.get(id);
    const slot = existing ?? this.ids.length;
    // The file first: a failed write (a full disk) leaves the matrix as it was.
    this.rows.write(slot, codes.subarray(at, at + this.dimensions));
    this.setError(slot, error);
    this.changeCount++;
    if (existing === undefined) {
      this.ids.push(id);
      this.keys.push(key);
      this.payloads.push(payload);
      this.slotOf.set(id, slot);
      this.slotOfKey.set(key, slot);
      this.ordered = undefined;
    } else {
      this.payloads[slot] = payload;
      const old = this.keys[slot]!;
      if (old !== key) {
        this.slotOfKey.delete(old);
        this.slotOfKey.set(key, slot);
        this.keys[slot] = key;
      }
    }
    for (const w of this.watchers) w.put(slot);
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      // The file first, as in put.
      const moved = new Int8Array(this.dimensions);
      this.rows.read(last, moved);
      this.rows.write(slot, moved);
    }
    this.changeCount++;
    this.slotOfKey.delete(this.keys[slot]!);
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.errors[slot] = this.errors[last]!;
      this.ids[slot] = lastId;
      this.keys[slot] = this.keys[last]!;
      this.payloads[slot] = this.payloads[last]!;
      this.slotOf.set(lastId, slot);
      this.slotOfKey.set(this.keys[slot]!, slot);
    }
    this.ids.pop();
    this.keys.pop();
    this.payloads.pop();
    this.slotOf.delete(id);
    this.ordered = undefined;
    this.layoutVersion++;
    for (const w of this.watchers) w.removed(slot, last);
    return true;
  }

  /** All slots, in id order. */
  inIdOrder(): Int32Array {
    if (!this.ordered) {
      const slots = Int32Array.from(this.ids.keys());
      this.ordered = slots.sort((a, b) => compareIds(this.ids[a]!, this.ids[b]!));
    }
    return this.ordered;
  }

  private setError(slot: number, error: number): void {
    if (slot >= this.errors.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.errors.length * 2));
      grown.set(this.errors);
      this.errors = grown;
    }
    this.errors[slot] = error;
    this.largestError = Math.max(this.largestError, error);
  }
}
