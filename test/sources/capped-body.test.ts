import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCappedBody } from '../../src/sources/capped-body.ts';

const never = new AbortController().signal;

// An endless body that counts how many chunks the reader pulled.
function endlessBody(chunkBytes: number) {
  const state = { pulled: 0 };
  const body = Readable.from(
    (function* () {
      for (;;) {
        state.pulled += 1;
        yield Buffer.alloc(chunkBytes, 1);
      }
    })(),
    { objectMode: false, highWaterMark: chunkBytes },
  );
  return { body, state };
}

describe('readCappedBody', () => {
  it('stops pulling an endless body once it crosses the cap', async () => {
    const { body, state } = endlessBody(1024);
    await expect(readCappedBody(body, { label: 's3://b/k', maxBytes: 10 * 1024, signal: never })).rejects.toMatchObject({
      code: 'SOURCE_TOO_LARGE',
      details: { maxBytes: 10 * 1024 },
    });
    expect(body.destroyed).toBe(true);
    expect(state.pulled).toBeLessThan(20);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const bytes = await readCappedBody(Readable.from([Buffer.alloc(600), Buffer.alloc(400)]), {
      label: 'x',
      maxBytes: 1000,
      signal: never,
    });
    expect(bytes.length).toBe(1000);
  });

  it('fails a body that ends before its declared length', async () => {
    await expect(
      readCappedBody(Readable.from([Buffer.alloc(10)]), { label: 'x', maxBytes: 1000, declaredBytes: 50, signal: never }),
    ).rejects.toMatchObject({ code: 'SOURCE_FETCH_FAILED', details: { receivedBytes: 10, declaredBytes: 50 } });
  });

  it('destroys the body when the signal aborts', async () => {
    const { body } = endlessBody(1);
    const controller = new AbortController();
    controller.abort();
    await expect(readCappedBody(body, { label: 'x', maxBytes: 1e9, signal: controller.signal })).rejects.toThrow();
    expect(body.destroyed).toBe(true);
  });
});
