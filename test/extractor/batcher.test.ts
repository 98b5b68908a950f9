import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatcher } from '../../src/extractor/batcher.ts';

function recorder() {
  const batches: number[][] = [];
  const runBatch = async (items: number[]) => {
    batches.push(items);
    return items.map((x) => x * 10);
  };
  return { batches, runBatch };
}

/** A runBatch whose batches finish only when the test says so. */
function gated() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const runBatch = (items: number[]) => {
    batches.push(items);
    return new Promise<number[]>((resolve) => gates.push(() => resolve(items.map((x) => x * 10))));
  };
  return { batches, runBatch, release: () => gates.shift()?.() };
}
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('createBatcher', () => {
  afterEach(() => vi.useRealTimers());

  it('coalesces concurrent submissions into batches of at most maxBatch', async () => {
    const r = recorder();
    const b = createBatcher({ maxBatch: 4, maxWaitMs: 50, runBatch: r.runBatch });
    const out = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)));
    expect(out).toEqual([10, 20, 30, 40, 50, 60]);
    expect(r.batches).toEqual([[1, 2, 3, 4], [5, 6]]);
  });

  it('queues items that arrive while a batch runs into the next batch', async () => {
    const g = gated();
    const b = createBatcher({ maxBatch: 16, maxWaitMs: 0, runBatch: g.runBatch });
    const first = b.submit(1);
    await settle();
    expect(g.batches).toEqual([[1]]);
    // The first batch is running (its runBatch was called and has not returned): these must wait for it.
    const rest = [2, 3, 4].map((x) => b.submit(x));
    await settle();
    expect(g.batches).toEqual([[1]]);
    expect(b.pending).toBe(3);
    g.release();
    await settle();
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
    g.release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
  });

  it('holds a lone item for maxWaitMs when a wait is configured, so company can join its batch', async () => {
    vi.useFakeTimers();
    const g = gated();
    const b = createBatcher({ maxBatch: 4, maxWaitMs: 30, runBatch: g.runBatch });
    const first = b.submit(1);
    await vi.advanceTimersByTimeAsync(29);
    expect(g.batches).toEqual([]);
    const second = b.submit(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.batches).toEqual([[1, 2]]);
    g.release();
    expect(await Promise.all([first, second])).toEqual([10, 20]);
  });

  it('fails every item of a failed batch and carries on with the next', async () => {
    let calls = 0;
    const b = createBatcher<number, number>({
      maxBatch: 2,
      maxWaitMs: 20,
      runBatch: async (items) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return items;
      },
    });
    const results = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('drops an aborted item before its batch starts', async () => {
    const r = recorder();
    const b = createBatcher({ maxBatch: 4, maxWaitMs: 30, runBatch: r.runBatch });
    const ac = new AbortController();
    const dropped = b.submit(1, ac.signal);
    const kept = b.submit(2);
    ac.abort(new Error('client went away'));
    await expect(dropped).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await kept).toBe(20);
    expect(r.batches).toEqual([[2]]);
  });

  describe('when the consumer is idle (no batch wait)', () => {
    it('dispatches a lone item at once, with no timer to wait for', async () => {
      vi.useFakeTimers();
      const g = gated();
      const b = createBatcher({ maxBatch: 16, maxWaitMs: 0, runBatch: g.runBatch });
      const out = b.submit(7);
      await settle();
      expect(g.batches).toEqual([[7]]);
      expect(vi.getTimerCount()).toBe(0);
      g.release();
      expect(await out).toBe(70);
    });

    it('batches only what queued while a batch ran', async () => {
      vi.useFakeTimers();
      const g = gated();
      const b = createBatcher({ maxBatch: 16, maxWaitMs: 0, runBatch: g.runBatch });
      const first = b.submit(1);
      const queued = [b.submit(2), b.submit(3), b.submit(4)];
      await settle();
      expect(g.batches).toEqual([[1]]);
      expect(b.pending).toBe(3);
      g.release();
      await settle();
      expect(g.batches).toEqual([[1], [2, 3, 4]]);
      g.release();
      expect(await Promise.all([first, ...queued])).toEqual([10, 20, 30, 40]);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});

/** A batcher whose first batch (one plug item) runs until `open()`, so everything else queues behind it. */
function pluggedBatcher(maxBatch: number) {
  const r = recorder();
  let open = () => {};
  const gate = new Promise<void>((res) => (open = res));
  const b = createBatcher<number, number>({
    maxBatch,
    maxWaitMs: 0,
    runBatch: async (items) => {
      if (r.batches.length === 0) await gate;
      return r.runBatch(items);
    },
  });
  const plug = b.submit(0);
  return { b, batches: r.batches, open, plug };
}

describe('createBatcher fairness between requests', () => {
  it('puts an ordinary request in the next batch, not behind all of a big request', async () => {
    const { b, batches, open, plug } = pluggedBatcher(4);
    const big = new AbortController().signal;
    const bigItems = Array.from({ length: 40 }, (_, i) => b.submit(100 + i, big));
    const ordinary = b.submit(1, new AbortController().signal);
    open();
    await Promise.all([plug, ...bigItems, ordinary]);
    expect(batches[1]).toEqual([100, 1, 101, 102]);
    // The big request's own items keep their order.
    expect(batches.flat().filter((x) => x >= 100)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
  });

  it('takes one item from each waiting request in turn, unsignalled work sharing one turn', async () => {
    const { b, batches, open, plug } = pluggedBatcher(6);
    const [a, c] = [new AbortController().signal, new AbortController().signal];
    const all = [
      ...[10, 11, 12, 13].map((x) => b.submit(x, a)),
      ...[20, 21, 22, 23].map((x) => b.submit(x, c)),
      ...[30, 31].map((x) => b.submit(x)),
    ];
    open();
    await Promise.all([plug, ...all]);
    expect(batches.slice(1)).toEqual([
      [10, 20, 30, 11, 21, 31],
      [12, 22, 13, 23],
    ]);
  });

  it('drops an aborted request\'s items from its turn without skipping the others', async () => {
    const { b, batches, open, plug } = pluggedBatcher(4);
    const gone = new AbortController();
    const dropped = [1, 2, 3].map((x) => b.submit(x, gone.signal));
    const kept = [10, 11].map((x) => b.submit(x, new AbortController().signal));
    gone.abort(new Error('client went away'));
    open();
    await Promise.all([plug, ...kept]);
    for (const d of dropped) await expect(d).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(batches.slice(1)).toEqual([[10, 11]]);
    expect(b.pending).toBe(0);
  });
});
