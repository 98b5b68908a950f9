import { afterEach, describe, expect, it } from 'vitest';
import { createKserveClient, type KserveClientOptions } from '../../../src/extractor/inference/kserve-client.ts';
import { unusedPort } from '../../fixtures/unused-port.ts';
import { startSpecFake, type SpecFake } from '../../fixtures/kserve-spec-fake.ts';

const fakes: SpecFake[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) {
    fake.releaseAll();
    await fake.close();
  }
});

async function fake(behaviour: Parameters<typeof startSpecFake>[0] = {}): Promise<SpecFake> {
  const f = await startSpecFake(behaviour);
  fakes.push(f);
  return f;
}

const client = (url: string, overrides: Partial<KserveClientOptions> = {}) =>
  createKserveClient({ url, timeoutMs: 10_000, retries: 2, maxInFlight: 4, maxQueued: 16, retryBaseMs: 1, ...overrides });

const x = (values: number[]) => ({ name: 'x', datatype: 'FP32' as const, shape: [values.length / 3, 3], data: Float32Array.from(values) });


describe('KServe v2 client against a server written from the protocol spec', () => {
  it('sends binary tensors as the extension describes and reads the binary output back', async () => {
    const f = await fake();
    const [y] = await client(f.url).infer('doubler', [x([1, 2.5, -3, 0.125, 4, 1e-3])], ['y']);
    expect(y).toMatchObject({ name: 'y', datatype: 'FP32', shape: [2, 3] });
    expect(Array.from(y?.data as Float32Array)).toEqual(Array.from(Float32Array.from([2, 5, -6, 0.25, 8, 2e-3])));
    const [request] = f.requests;
    // The JSON's length in the header, 24 bytes of FP32 after it, and no inline data.
    expect(Number(request?.headers['inference-header-content-length'])).toBeGreaterThan(0);
    expect(request?.binaryLength).toBe(24);
    expect(request?.json).toMatchObject({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: 24 } }],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
    });
    expect((request?.json.inputs as Array<Record<string, unknown>>)[0]).not.toHaveProperty('data');
  });

  it('sends INT64 tensors as 8-byte little-endian integers', async () => {
    const f = await fake();
    const ids = { name: 'x', datatype: 'INT64' as const, shape: [1, 3], data: BigInt64Array.from([1n, 256n, 32_000n]) };
    const [y] = await client(f.url).infer('doubler', [ids], ['y']);
    expect(Array.from(y?.data as Float32Array)).toEqual([2, 512, 64_000]);
    expect(f.requests[0]?.binaryLength).toBe(24);
  });

  it('reads readiness from the status alone: Triton answers 200 with an empty body', async () => {
    const f = await fake();
    const c = client(f.url);
    expect(await c.serverReady()).toBe(true);
    expect(await c.modelReady('doubler')).toBe(true);
    f.behaviour.readyStatus = 400;
    expect(await c.serverReady()).toBe(false);
  });

  it('fails with INFERENCE_UNAVAILABLE, naming the server, when nothing listens', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    await expect(client(url).infer('doubler', [x([1, 2, 3])], ['y'])).rejects.toMatchObject({
      code: 'INFERENCE_UNAVAILABLE',
      message: expect.stringContaining(url),
    });
    await expect(client(url).serverReady()).rejects.toMatchObject({ code: 'INFERENCE_UNAVAILABLE' });
  });

  it('retries a transient failure (503) and succeeds, within its retry budget', async () => {
    const f = await fake({ failFirst: 2 });
    const [y] = await client(f.url, { retries: 2 }).infer('doubler', [x([1, 1, 1])], ['y']);
    expect(Array.from(y?.data as Float32Array)).toEqual([2, 2, 2]);
    expect(f.requests).toHaveLength(3);
  });

  it('gives up with INFERENCE_UNAVAILABLE once its retries are spent', async () => {
    const f = await fake({ failFirst: 5 });
    await expect(client(f.url, { retries: 1 }).infer('doubler', [x([1, 1, 1])], ['y'])).rejects.toMatchObject({
      code: 'INFERENCE_UNAVAILABLE',
      message: expect.stringContaining('model is loading'),
    });
    expect(f.requests).toHaveLength(2);
  });

  it('does not retry a request the server refuses (400), and passes its error message on', async () => {
    const f = await fake();
    const wrong = { ...x([1, 2, 3]), name: 'not_x' };
    await expect(client(f.url).infer('doubler', [wrong], ['y'])).rejects.toMatchObject({
      code: 'INFERENCE_FAILED',
      message: expect.stringContaining('unexpected inference input'),
    });
    expect(f.requests).toHaveLength(1);
  });

  it('fails with INFERENCE_TIMEOUT when the answer does not come within the deadline', async () => {
    const f = await fake({ delayMs: 5_000 });
    await expect(client(f.url, { timeoutMs: 200 }).infer('doubler', [x([1, 2, 3])], ['y'])).rejects.toMatchObject({
      code: 'INFERENCE_TIMEOUT',
      details: { timeoutMs: 200 },
    });
  });

  it('reports a caller that gave up as CANCELLED, not as a server problem', async () => {
    const f = await fake({ hold: true });
    const controller = new AbortController();
    const call = client(f.url).infer('doubler', [x([1, 2, 3])], ['y'], controller.signal);
    await expect.poll(() => f.requests.length).toBe(1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('holds at most maxInFlight on the wire and maxQueued waiting; one more fails at once with INFERENCE_QUEUE_FULL', async () => {
    const f = await fake({ hold: true });
    const c = client(f.url, { maxInFlight: 1, maxQueued: 1 });
    const first = c.infer('doubler', [x([1, 1, 1])], ['y']);
    const second = c.infer('doubler', [x([2, 2, 2])], ['y']);
    await expect.poll(() => f.requests.length).toBe(1);
    await expect(c.infer('doubler', [x([3, 3, 3])], ['y'])).rejects.toMatchObject({ code: 'INFERENCE_QUEUE_FULL', details: { maxInFlight: 1, maxQueued: 1 } });
    // The queued call goes once the first is answered, and both succeed.
    f.releaseAll();
    await expect.poll(() => f.requests.length).toBe(2);
    f.releaseAll();
    const results = await Promise.all([first, second]);
    expect(results.map(([y]) => Array.from(y?.data as Float32Array))).toEqual([
      [2, 2, 2],
      [4, 4, 4],
    ]);
  });

  it('reads model metadata, and names a model the server lacks with MODEL_NOT_FOUND', async () => {
    const f = await fake();
    const c = client(f.url);
    expect(await c.modelMetadata('doubler')).toMatchObject({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }] });
    await expect(c.modelMetadata('tripler')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', details: { model: 'tripler' } });
  });
});
