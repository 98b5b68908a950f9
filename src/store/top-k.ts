/**
 * A bounded selection of the k best (score, id) pairs: a binary min-heap
 * whose root is the worst kept hit, so most rows of a scan cost one compare.
 * Higher scores are better; equal scores prefer the smaller id, which makes
 * results deterministic.
 */
export interface Hit {
  slot: number;
  score: number;
}

export class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(
    private readonly k: number,
    private readonly idOf: (slot: number) => string,
  ) {
    this.slots = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** The score a new hit must beat to enter; -Infinity while not full. */
  get floor(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  offer(slot: number, score: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      this.slots[this.size] = slot;
      this.scores[this.size] = score;
      this.siftUp(this.size++);
    } else if (this.worse(0, score, slot)) {
      this.slots[0] = slot;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Best first. */
  sorted(): Hit[] {
    const hits: Hit[] = [];
    for (let i = 0; i < this.size; i++) hits.push({ slot: this.slots[i]!, score: this.scores[i]! });
    return hits.sort((a, b) => b.score - a.score || compareIds(this.idOf(a.slot), this.idOf(b.slot)));
  }

  /** Is the kept hit at heap index `i` worse than (score, slot)? */
  private worse(i: number, score: number, slot: number): boolean {
    const s = this.scores[i]!;
    if (s !== score) return s < score;
    return this.idOf(this.slots[i]!) > this.idOf(slot);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, this.scores[parent]!, this.slots[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < this.size && this.worse(l, this.scores[worst]!, this.slots[worst]!)) worst = l;
      if (r < this.size && this.worse(r, this.scores[worst]!, this.slots[worst]!)) worst = r;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }

  private swap(a: number, b: number): void {
    const slot = this.slots[a]!;
    const score = this.scores[a]!;
    this.slots[a] = this.slots[b]!;
    this.scores[a] = this.scores[b]!;
    this.slots[b] = slot;
    this.scores[b] = score;
  }
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
