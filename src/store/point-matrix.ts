/**
 * One collection's points held in memory: vectors (normalised) in row-major
 * blocks of BLOCK_ROWS rows, payloads parsed once, and a slot per point.
 * Deleting moves the last row into the hole, so rows stay dense and a scan
 * never skips.
 *
 * Blocks rather than one array: each block is its own ArrayBuffer, which is
 * what usearch's exactSearch needs (its binding reads a typed array from the
 * start of its buffer, ignoring a view's offset), and a scan yields to the
 * event loop between blocks. Growing never copies more than one block.
 */
import type { Payload } from './vector-store.ts';
import { compareIds } from './top-k.ts';
import { dotRow } from './vector-math.ts';

/** 16k rows of 768 floats: 48 MiB, a few milliseconds of native scanning. */
export const BLOCK_ROWS = 16_384;

/** Rows a block starts with; it doubles up to BLOCK_ROWS, so small collections stay small. */
const FIRST_BLOCK_ROWS = 256;

export class PointMatrix {
  private readonly blocks: Float32Array[] = [];
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
  /** Bumped by every put and remove: anything derived from payloads (a filter's matches) is valid while it is unchanged. */
  private changeCount = 0;

  constructor(readonly dimensions: number) {}

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
    return this.blocks.length;
  }

  /** Block `b`'s whole buffer: rows past `rowsIn(b)` are zero padding. */
  block(b: number): Float32Array {
    return this.blocks[b]!;
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

  vectorAt(slot: number): Float32Array {
    const start = (slot % BLOCK_ROWS) * this.dimensions;
    return this.blocks[Math.floor(slot / BLOCK_ROWS)]!.slice(start, start + this.dimensions);
  }

  /** Copies row `slot` into `out` at `at`. */
  copyRow(slot: number, out: Float32Array, at: number): void {
    out.set(this.rowView(slot), at);
  }

  /** The dot product of row `slot` with `query`: its cosine, rows being normalised. */
  dot(slot: number, query: Float32Array): number {
    return dotRow(this.blocks[Math.floor(slot / BLOCK_ROWS)]!, slot % BLOCK_ROWS, query, this.dimensions);
  }

  find(id: string): number | undefined {
    return this.slotOf.get(id);
  }

  findKey(key: number): number | undefined {
    return this.slotOfKey.get(key);
  }

  /** `vector` must already be normalised. */
  put(id: string, key: number, vector: Float32Array, payload: Payload): void {
    this.changeCount++;
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.reserve(slot);
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
    this.blocks[Math.floor(slot / BLOCK_ROWS)]!.set(vector, (slot % BLOCK_ROWS) * this.dimensions);
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.changeCount++;
    const last = this.ids.length - 1;
    this.slotOfKey.delete(this.keys[slot]!);
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.blocks[Math.floor(slot / BLOCK_ROWS)]!.set(this.rowView(last), (slot % BLOCK_ROWS) * this.dimensions);
      this.ids[slot] = lastId;
      this.keys[slot] = this.keys[last]!;
      this.payloads[slot] = this.payloads[last]!;
      this.slotOf.set(lastId, slot);
      this.slotOfKey.set(this.keys[slot]!, slot);
    }
    // The freed row becomes padding again: zero, so a native block scan scores it 0.
    this.rowView(last).fill(0);
    this.ids.pop();
    this.keys.pop();
    this.payloads.pop();
    this.slotOf.delete(id);
    this.ordered = undefined;
    this.layoutVersion++;
    if (this.blocks.length > Math.ceil(this.ids.length / BLOCK_ROWS)) this.blocks.pop();
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

  private rowView(slot: number): Float32Array {
    const start = (slot % BLOCK_ROWS) * this.dimensions;
    return this.blocks[Math.floor(slot / BLOCK_ROWS)]!.subarray(start, start + this.dimensions);
  }

  /** Makes room for row `slot`: a new block, or a doubling of the last one. */
  private reserve(slot: number): void {
    const b = Math.floor(slot / BLOCK_ROWS);
    const row = slot % BLOCK_ROWS;
    if (b === this.blocks.length) {
      this.blocks.push(new Float32Array(FIRST_BLOCK_ROWS * this.dimensions));
      return;
    }
    const current = this.blocks[b]!;
    if (row * this.dimensions < current.length) return;
    const next = new Float32Array(Math.min(BLOCK_ROWS, (current.length / this.dimensions) * 2) * this.dimensions);
    next.set(current);
    this.blocks[b] = next;
  }
}
