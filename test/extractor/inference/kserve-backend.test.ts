import { describe, expect, it } from 'vitest';
import type { InferenceBackend } from '../../../src/extractor/inference/inference-port.ts';
import { kserveInference } from '../../../src/extractor/inference/kserve-backend.ts';
import { startKserveServer } from '../../../src/extractor/inference/kserve-server.ts';
import { towerSpecs, type TowerShape } from '../../../src/extractor/inference/tower-specs.ts';
import { silentLogger } from '../../../src/logger.ts';
import { remoteClientDefaults } from '../../fixtures/inference-backends.ts';
import { unusedPort } from '../../fixtures/unused-port.ts';

const shape = (overrides: Partial<TowerShape> = {}): TowerShape => ({ outputName: 'm', dimensions: 768, imageSize: 224, textLength: 64, ...overrides });

/** Zeros of the right size: what these tests check is the protocol around them. */
const zeros: InferenceBackend = {
  description: 'zeros',
  infer: async (_tower, input) => new Float32Array((input.dims[0] as number) * 768),
  ready: async () => ({ ok: true }),
  close: async () => undefined,
};

const serve = (towersShape: TowerShape, port = 0) =>
  startKserveServer({ models: [{ backend: zeros, towers: towerSpecs(towersShape) }], host: '127.0.0.1', port, logger: silentLogger });


describe('remote inference backend', () => {
  it('refuses a served model whose signature does not fit the model directory, naming the difference', async () => {
    const server = await serve(shape({ imageSize: 384 }));
    try {
      const provider = kserveInference({ url: server.url, ...remoteClientDefaults });
      await expect(provider.open(towerSpecs(shape()))).rejects.toMatchObject({
        code: 'MODEL_INVALID',
        message: expect.stringContaining('[-1,3,384,384], expected [-1,3,224,224]'),
      });
    } finally {
      await server.close();
    }
  });

  it('fails to open at once with INFERENCE_UNAVAILABLE when not asked to wait and nothing listens', async () => {
    const provider = kserveInference({ url: `http://127.0.0.1:${await unusedPort()}`, ...remoteClientDefaults, retryBaseMs: 1 });
    await expect(provider.open(towerSpecs(shape()))).rejects.toMatchObject({ code: 'INFERENCE_UNAVAILABLE' });
  });

  it('waits for a server that comes up later, when asked to wait (a long-running server)', async () => {
    const port = await unusedPort();
    const provider = kserveInference({ url: `http://127.0.0.1:${port}`, ...remoteClientDefaults, retryBaseMs: 1, waitForServer: true });
    const opening = provider.open(towerSpecs(shape()));
    await new Promise((r) => setTimeout(r, 300));
    const server = await serve(shape(), port);
    try {
      const backend = await opening;
      const out = await backend.infer('text', { data: new BigInt64Array(64), dims: [1, 64] });
      expect(out).toHaveLength(768);
    } finally {
      await server.close();
    }
  });

  it('stops waiting when its signal is aborted', async () => {
    const provider = kserveInference({ url: `http://127.0.0.1:${await unusedPort()}`, ...remoteClientDefaults, retryBaseMs: 1, waitForServer: true });
    const controller = new AbortController();
    const opening = provider.open(towerSpecs(shape()), controller.signal);
    setTimeout(() => controller.abort(), 200);
    await expect(opening).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reports not ready once the server goes away, and fails calls with INFERENCE_UNAVAILABLE', async () => {
    const server = await serve(shape());
    const backend = await kserveInference({ url: server.url, ...remoteClientDefaults, retryBaseMs: 1 }).open(towerSpecs(shape()));
    expect(await backend.ready()).toEqual({ ok: true });
    await server.close();
    expect(await backend.ready()).toMatchObject({ ok: false, reason: expect.stringContaining('cannot be reached') });
    await expect(backend.infer('text', { data: new BigInt64Array(64), dims: [1, 64] })).rejects.toMatchObject({ code: 'INFERENCE_UNAVAILABLE' });
  });
});
