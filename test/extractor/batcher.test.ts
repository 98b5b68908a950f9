import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/extractor/batcher.ts';

function recorder(delayMs = 0) {
  const batches: number[][] = [];
  const runBatch = async (items: number[]) => {
    batches.push(items);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return items.map((x) => x * 10);
  };
  return { batches, runBatch };
}

describe('createBatcher', () => {
  it('coalesces concurrent submissions into batches of at most maxBatch', async () => {
    const r = recorder();
    const b = createBatcher({ maxBatch: 4, maxWaitMs: 50, runBatch: r.runBatch });
    const out = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)));
    expect(out).toEqual([10, 20, 30, 40, 50, 60]);
    expect(r.batches).toEqual([[1, 2, 3, 4], [5, 6]]);
  });

  it('queues items that arrive while a batch runs into the next batch', async () => {
    const r = recorder(20);
    const b = createBatcher({ maxBatch: 16, maxWaitMs: 0, runBatch: r.runBatch });
    const first = b.submit(1);
    await new Promise((res) => setTimeout(res, 5));
    const rest = [2, 3, 4].map((x) => b.submit(x));
    expect(b.pending).toBe(3);
    await Promise.all([first, ...rest]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
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
});
