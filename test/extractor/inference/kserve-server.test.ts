import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceBackend } from '../../../src/extractor/inference/inference-port.ts';
import { startKserveServer, type RunningKserveServer } from '../../../src/extractor/inference/kserve-server.ts';
import { towerSpecs } from '../../../src/extractor/inference/tower-specs.ts';
import { silentLogger } from '../../../src/logger.ts';
import { serveTinyModel } from '../../fixtures/inference-backends.ts';

const VISION = '/v2/models/google_siglip_base_v1_vision';
const TEXT = '/v2/models/google_siglip_base_v1_text';

/** A binary request built by hand, as the extension's example lays it out. */
function binaryRequest(inputs: Array<{ name: string; datatype: string; shape: number[]; bytes: Buffer }>, outputs?: unknown[]) {
  const json = Buffer.from(
    JSON.stringify({
      inputs: inputs.map(({ bytes, ...t }) => ({ ...t, parameters: { binary_data_size: bytes.length } })),
      ...(outputs ? { outputs } : {}),
    }),
  );
  return {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) },
    body: Buffer.concat([json, ...inputs.map((i) => i.bytes)]),
  };
}

const ids = (rows: number) => {
  const bytes = Buffer.alloc(rows * 64 * 8);
  for (let i = 0; i < rows * 64; i++) bytes.writeBigInt64LE(BigInt((i * 7) % 1000), i * 8);
  return bytes;
};

describe('sightline inference-server (KServe v2 over the tiny model)', () => {
  let server: Awaited<ReturnType<typeof serveTinyModel>>;
  beforeAll(async () => {
    server = await serveTinyModel();
  });
  afterAll(() => server?.close());

  it('answers the health, server metadata and model metadata endpoints', async () => {
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/v2`)).json()).toMatchObject({ extensions: ['binary_tensor_data'] });
    expect(await (await fetch(`${server.url}${VISION}/ready`)).json()).toEqual({ name: 'google_siglip_base_v1_vision', ready: true });
    expect(await (await fetch(`${server.url}${TEXT}`)).json()).toMatchObject({
      inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [-1, 64] }],
      outputs: [{ name: 'pooler_output', datatype: 'FP32', shape: [-1, 768] }],
    });
  });

  it('gives the same output for a JSON request as for a binary one', async () => {
    const bytes = ids(2);
    const binary = await fetch(`${server.url}${TEXT}/infer`, binaryRequest([{ name: 'input_ids', datatype: 'INT64', shape: [2, 64], bytes }], [{ name: 'pooler_output', parameters: { binary_data: true } }]));
    expect(binary.status).toBe(200);
    const body = Buffer.from(await binary.arrayBuffer());
    const headerLength = Number(binary.headers.get('inference-header-content-length'));
    const head = JSON.parse(body.subarray(0, headerLength).toString()) as { outputs: Array<{ shape: number[]; parameters: { binary_data_size: number } }> };
    expect(head.outputs[0]).toMatchObject({ shape: [2, 768], parameters: { binary_data_size: 2 * 768 * 4 } });
    const fromBinary = Array.from({ length: 2 * 768 }, (_, i) => body.readFloatLE(headerLength + i * 4));

    const values = Array.from({ length: 2 * 64 }, (_, i) => Number(bytes.readBigInt64LE(i * 8)));
    const json = await fetch(`${server.url}${TEXT}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'q1', inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [2, 64], data: values }] }),
    });
    const answer = (await json.json()) as { id: string; outputs: Array<{ data: number[] }> };
    expect(answer.id).toBe('q1');
    expect(answer.outputs[0]?.data).toEqual(fromBinary);
  });

  it.each([
    ['a wrong input name', { name: 'pixels', datatype: 'FP32', shape: [1, 3, 224, 224] }],
    ['a wrong datatype', { name: 'pixel_values', datatype: 'INT64', shape: [1, 3, 224, 224] }],
    ['a wrong image size', { name: 'pixel_values', datatype: 'FP32', shape: [1, 3, 200, 200] }],
    ['a batch over --max-batch', { name: 'pixel_values', datatype: 'FP32', shape: [17, 3, 224, 224] }],
    ['an empty batch', { name: 'pixel_values', datatype: 'FP32', shape: [0, 3, 224, 224] }],
  ])('refuses %s with 400 and a coded KServe error, before running the model', async (_, input) => {
    const res = await fetch(`${server.url}${VISION}/infer`, binaryRequest([{ ...input, bytes: Buffer.alloc(16) }]));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining('pixel_values'), code: 'BAD_USER_INPUT' });
  });

  it('refuses binary data that does not match its declared size or shape', async () => {
    const short = binaryRequest([{ name: 'input_ids', datatype: 'INT64', shape: [1, 64], bytes: ids(1).subarray(0, 100) }]);
    const res = await fetch(`${server.url}${TEXT}/infer`, short);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('binary_data_size'), code: 'BAD_USER_INPUT' });
  });

  it('refuses a body larger than the biggest valid request with 413, without reading it all', async () => {
    const res = await fetch(`${server.url}${TEXT}/infer`, { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('answers an unknown model or version with 404 in the error shape', async () => {
    const res = await fetch(`${server.url}/v2/models/resnet/infer`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('google_siglip_base_v1_vision'), code: 'NOT_FOUND' });
    expect((await fetch(`${server.url}${VISION}/versions/2`)).status).toBe(404);
    expect((await fetch(`${server.url}${VISION}/versions/1`)).status).toBe(200);
  });
});

describe('inference-server back-pressure', () => {
  let server: RunningKserveServer;
  const release: Array<() => void> = [];
  beforeAll(async () => {
    // A backend that holds every batch until released: the queue fills deterministically.
    const held: InferenceBackend = {
      description: 'held',
      infer: (_tower, input) => new Promise((resolve) => release.push(() => resolve(new Float32Array((input.dims[0] as number) * 768)))),
      ready: async () => ({ ok: true }),
      close: async () => undefined,
    };
    const towers = towerSpecs({ outputName: 'm', dimensions: 768, imageSize: 224, textLength: 64 });
    server = await startKserveServer({ models: [{ backend: held, towers }], maxQueued: 1, host: '127.0.0.1', port: 0, logger: silentLogger });
  });
  afterAll(async () => {
    for (const r of release.splice(0)) r();
    await server?.close();
  });

  it('refuses a request past --max-queued with 503 INFERENCE_QUEUE_FULL, and serves the others', async () => {
    const send = () => fetch(`${server.url}/v2/models/m_text/infer`, binaryRequest([{ name: 'input_ids', datatype: 'INT64', shape: [1, 64], bytes: ids(1) }]));
    const running = send();
    const queued = send();
    await expect.poll(() => release.length).toBe(2);
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'INFERENCE_QUEUE_FULL', error: expect.stringContaining('--max-queued') });
    for (const r of release.splice(0)) r();
    expect((await running).status).toBe(200);
    expect((await queued).status).toBe(200);
  });
});
