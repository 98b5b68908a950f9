import { describe, expect, it } from 'vitest';
import { createLimiter, mapLimited } from '../../src/scheduling/concurrency-limit.ts';

describe('createLimiter', () => {
  it('never runs more than max tasks at once', async () => {
    const limiter = createLimiter(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('gives a freed slot to waiting owners in turn, tasks without an owner sharing one turn', async () => {
    const limiter = createLimiter(1);
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: string[] = [];
    const task = (name: string, owner?: object) => limiter.run(async () => void started.push(name), owner);
    const [a, b] = [{}, {}];
    const all = [
      limiter.run(() => gate),
      task('a1', a),
      task('a2', a),
      task('a3', a),
      task('b1', b),
      task('u1'),
      task('u2'),
    ];
    open();
    await Promise.all(all);
    expect(started).toEqual(['a1', 'b1', 'u1', 'a2', 'u2', 'a3']);
  });

  it('frees the slot of a failed task', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(await limiter.run(async () => 7)).toBe(7);
  });
});

describe('mapLimited', () => {
  it('keeps input order', async () => {
    const out = await mapLimited([30, 10, 20], 2, async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      return ms;
    });
    expect(out).toEqual([30, 10, 20]);
  });

  it('pulls lazily from an iterable, at most max items ahead', async () => {
    let pulled = 0;
    let active = 0;
    let maxAhead = 0;
    function* source() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - (10 - remaining()));
        yield i;
      }
    }
    let finished = 0;
    const remaining = () => 10 - finished;
    const out = await mapLimited(source(), 2, async (x) => {
      active++;
      expect(active).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 1));
      active--;
      finished++;
      return x * 2;
    });
    expect(out).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('stops pulling after a failure and lets the source clean up', async () => {
    let pulled = 0;
    let closed = false;
    function* source() {
      try {
        for (let i = 0; i < 100; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    await expect(
      mapLimited(source(), 2, async (x) => {
        await new Promise((r) => setTimeout(r, 1));
        if (x === 3) throw new Error('page 3 is broken');
        return x;
      }),
    ).rejects.toThrow('page 3 is broken');
    expect(pulled).toBeLessThan(10);
    expect(closed).toBe(true);
  });
});
