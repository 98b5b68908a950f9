/** SigLIP's logit_scale/logit_bias: read from a safetensors file on loopback with Range requests, and used. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cosineForProbability,
  fetchLogitsFromSafetensors,
  matchProbability,
  readModelLogits,
} from '../../src/extractor/model-logits.ts';
import { tinyModelDir } from '../fixtures/models.ts';
import { safetensors } from '../fixtures/safetensors.ts';

const servers: http.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** Serves one file with Range support (or ignoring Range), recording each request's range and how much it sent. */
async function serve(file: Buffer, honourRange = true) {
  const requests: { range: string | undefined; sent: number }[] = [];
  const server = http.createServer((req, res) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!honourRange || !match) {
      requests.push({ range: req.headers.range, sent: file.length });
      res.writeHead(200, { 'content-length': file.length }).end(file);
      return;
    }
    const [start, end] = [Number(match[1]), Math.min(Number(match[2]), file.length - 1)];
    const body = file.subarray(start, end + 1);
    requests.push({ range: req.headers.range, sent: body.length });
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${file.length}`, 'content-length': body.length }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.safetensors`, requests };
}

const tensors = () => ({
  'vision_model.weights': new Float32Array(200_000).fill(0.5),
  logit_scale: Float32Array.of(4.7125),
  logit_bias: Float32Array.of(-16.5),
});

describe('fetchLogitsFromSafetensors', () => {
  it('reads both scalars with two small Range requests, never the weights', async () => {
    const file = safetensors(tensors());
    const { url, requests } = await serve(file);
    const logits = await fetchLogitsFromSafetensors(url, { timeoutMs: 5000 });
    expect(logits.logit_scale).toBeCloseTo(4.7125, 5);
    expect(logits.logit_bias).toBeCloseTo(-16.5, 5);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.range).toBe('bytes=0-65535');
    expect(requests[1]?.sent).toBe(8);
    expect(requests.reduce((n, r) => n + r.sent, 0)).toBeLessThan(70_000);
  });

  it('asks for the rest of a header longer than the first probe', async () => {
    const { url, requests } = await serve(safetensors(tensors(), 100_000));
    expect((await fetchLogitsFromSafetensors(url, { timeoutMs: 5000 })).logit_bias).toBeCloseTo(-16.5, 5);
    expect(requests).toHaveLength(3);
  });

  it('refuses a server that ignores Range, and a file without the scalars, with MODEL_DOWNLOAD_FAILED', async () => {
    const ignoring = await serve(safetensors(tensors()), false);
    await expect(fetchLogitsFromSafetensors(ignoring.url, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'MODEL_DOWNLOAD_FAILED',
      message: expect.stringMatching(/expected 206/),
    });
    const towerOnly = await serve(safetensors({ 'text_model.weights': new Float32Array(10) }));
    await expect(fetchLogitsFromSafetensors(towerOnly.url, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'MODEL_DOWNLOAD_FAILED',
      message: expect.stringMatching(/no single float32 "logit_scale"/),
    });
  });
});

describe('match probability', () => {
  const logits = { logit_scale: Math.log(112), logit_bias: -16.5 };

  it("is Hugging Face's sigmoid(exp(logit_scale) * cos + logit_bias)", () => {
    expect(matchProbability(0.1, logits)).toBeCloseTo(1 / (1 + Math.exp(-(112 * 0.1 - 16.5))), 12);
    expect(matchProbability(16.5 / 112, logits)).toBeCloseTo(0.5, 12);
  });

  it('turns a probability back into the cosine a store threshold needs', () => {
    for (const p of [0.01, 0.5, 0.83]) expect(matchProbability(cosineForProbability(p, logits), logits)).toBeCloseTo(p, 12);
  });

  it('is recorded by the generator in test model directories', async () => {
    expect(await readModelLogits(tinyModelDir())).toEqual({ logit_scale: Math.log(10), logit_bias: -10 });
  });
});
