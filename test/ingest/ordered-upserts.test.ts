import { describe, expect, it } from 'vitest';
import { createOrderedUpserts } from '../../src/ingest/ordered-upserts.ts';
import type { PointInput } from '../../src/store/vector-store.ts';

const point = (id: string, sku: string): PointInput => ({ id, vector: new Float32Array(1), payload: { sku } });

/** A store whose write of `heldSku` waits until `release()`: the test decides which write lands last. */
function recordingStore(heldSku?: string) {
  const state = new Map<string, string>();
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const upsert = async (points: PointInput[]) => {
    if (points[0]?.payload.sku === heldSku) await held;
    for (const p of points) state.set(p.id, String(p.payload.sku));
  };
  return { state, upsert, release };
}

describe('createOrderedUpserts', () => {
  it('lets the later object win even when the earlier one writes last', async () => {
    const store = recordingStore('first');
    const write = createOrderedUpserts(store.upsert);
    const both = Promise.all([write(0, [point('a', 'first')]), write(4, [point('a', 'second')])]);
    // Every pending callback runs before setImmediate's: unless it waits for 'first', 'second' is written now.
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    await both;
    expect(store.state.get('a')).toBe('second');
  });

  it('skips documents a later object already claimed', async () => {
    const store = recordingStore();
    const write = createOrderedUpserts(store.upsert);
    await write(4, [point('a', 'later')]);
    await write(0, [point('a', 'earlier'), point('b', 'earlier')]);
    expect(Object.fromEntries(store.state)).toEqual({ a: 'later', b: 'earlier' });
  });

  it('keeps going after a failed write', async () => {
    let calls = 0;
    const state = new Map<string, string>();
    const write = createOrderedUpserts(async (points) => {
      if (calls++ === 0) throw new Error('store down');
      for (const p of points) state.set(p.id, String(p.payload.sku));
    });
    await expect(write(0, [point('a', 'x')])).rejects.toThrow('store down');
    await write(1, [point('a', 'y')]);
    expect(state.get('a')).toBe('y');
  });
});
