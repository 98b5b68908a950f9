/**
 * One collection's points held in memory for scanning: vectors in one
 * contiguous row-major Float32Array (rows are normalised), payloads parsed
 * once, and a slot per id. Deleting moves the last row into the hole, so rows
 * stay dense and a scan never skips.
 */
import type { Payload } from './vector-store.ts';
import { compareIds } from './top-k.ts';

export class PointMatrix {
  private matrix: Float32Array;
  private ids: string[] = [];
  private payloads: Payload[] = [];
  private readonly slotOf = new Map<string, number>();
  /** Slots in id order; rebuilt lazily after writes. */
  private ordered: Int32Array | undefined;
  /**
   * Bumped whenever a point changes slot (a delete moves the last row into the
   * hole). A scan that yields between chunks is valid only while it is unchanged.
   */
  private layoutVersion = 0;

  constructor(
    readonly dimensions: number,
    capacity = 1024,
  ) {
    this.matrix = new Float32Array(Math.max(1, capacity) * dimensions);
  }

  get size(): number {
    return this.ids.length;
  }

  get rows(): Float32Array {
    return this.matrix;
  }

  get layout(): number {
    return this.layoutVersion;
  }

  idAt(slot: number): string {
    return this.ids[slot]!;
  }

  payloadAt(slot: number): Payload {
    return this.payloads[slot]!;
  }

  vectorAt(slot: number): Float32Array {
    return this.matrix.slice(slot * this.dimensions, (slot + 1) * this.dimensions);
  }

  find(id: string): number | undefined {
    return this.slotOf.get(id);
  }

  /** `vector` must already be normalised. */
  put(id: string, vector: Float32Array, payload: Payload): void {
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.grow(slot + 1);
      this.ids.push(id);
      this.payloads.push(payload);
      this.slotOf.set(id, slot);
      this.ordered = undefined;
    } else {
      this.payloads[slot] = payload;
    }
    this.matrix.set(vector, slot * this.dimensions);
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.matrix.copyWithin(slot * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.ids[slot] = lastId;
      this.payloads[slot] = this.payloads[last]!;
      this.slotOf.set(lastId, slot);
    }
    this.ids.pop();
    this.payloads.pop();
    this.slotOf.delete(id);
    this.ordered = undefined;
    this.layoutVersion++;
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

  private grow(rows: number): void {
    if (rows * this.dimensions <= this.matrix.length) return;
    const next = new Float32Array(Math.max(rows, this.matrix.length / this.dimensions * 2) * this.dimensions);
    next.set(this.matrix.subarray(0, this.ids.length * this.dimensions));
    this.matrix = next;
  }
}
