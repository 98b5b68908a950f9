import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createInference } from '../../src/app/adapters.ts';
import { createModelLifecycle } from '../../src/extractor/model-lifecycle.ts';
import { silentLogger } from '../../src/logger.ts';
import { tinyModelDir } from '../fixtures/models.ts';

/** Serves the tiny model's files like a Hugging Face "resolve" URL; `/missing/…` answers 404. */
async function serveModel(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const root = tinyModelDir();
  const server = http.createServer(async (req, res) => {
    const rel = decodeURIComponent((req.url ?? '').replace(/^\/model\//, ''));
    if (req.url?.startsWith('/missing/') || rel.includes('..')) return void res.writeHead(404).end();
    try {
      const bytes = await fs.readFile(path.join(root, rel));
      res.writeHead(200, { 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('model lifecycle', () => {
  let server: Awaited<ReturnType<typeof serveModel>>;
  let dir: string;
  beforeAll(async () => {
    server = await serveModel();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-lifecycle-'));
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const lifecycle = (env: Record<string, string>) => {
    const config = loadConfig({ INFERENCE_THREADS: '1', ...env });
    return createModelLifecycle({ model: config.model, inference: createInference(config.inference, silentLogger, { waitForServer: false }), logger: silentLogger });
  };

  it('downloads a missing model on first start, then loads it: absent → downloading → ready', async () => {
    const modelDir = path.join(dir, 'fresh');
    // A mirror of the tower exports only: no full model to read logit_scale/logit_bias from.
    const model = lifecycle({ MODEL_DIR: modelDir, MODEL_DOWNLOAD_URL: `${server.baseUrl}/model`, MODEL_LOGITS_URL: '' });
    expect(model.state().phase).toBe('absent');
    expect(() => model.extractor()).toThrow(expect.objectContaining({ code: 'MODEL_NOT_READY' }));
    const starting = model.start();
    expect(model.state().phase).toBe('downloading');
    const extractor = await starting;
    expect(model.state().phase).toBe('ready');
    expect(model.extractor()).toBe(extractor);
    expect((await extractor.embedText('a red shoe')).embedding).toHaveLength(768);
    await model.close();
    await expect(fs.stat(path.join(modelDir, 'onnx', 'vision_model.onnx'))).resolves.toBeTruthy();
  });

  it('says how to provide the model when downloading is off', async () => {
    const model = lifecycle({ MODEL_DIR: path.join(dir, 'none'), MODEL_AUTO_DOWNLOAD: 'false' });
    await expect(model.start()).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('npm run model:download') });
    expect(model.state().phase).toBe('failed');
  });

  it('fails with MODEL_DOWNLOAD_FAILED and the same advice when the download cannot happen', async () => {
    const model = lifecycle({ MODEL_DIR: path.join(dir, 'offline'), MODEL_DOWNLOAD_URL: `${server.baseUrl}/missing` });
    await expect(model.start()).rejects.toMatchObject({
      code: 'MODEL_DOWNLOAD_FAILED',
      message: expect.stringContaining('MODEL_DIR'),
    });
    expect(() => model.extractor()).toThrow(expect.objectContaining({ code: 'MODEL_NOT_READY' }));
  });

  it('offline: names the unresolvable host, how to provide the model, and the generated test model', async () => {
    const model = lifecycle({ MODEL_DIR: path.join(dir, 'unresolvable'), MODEL_DOWNLOAD_URL: 'http://sightline-test.invalid/model' });
    const err = await model.start().then(
      () => ({ code: 'none', message: 'started' }),
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err).toMatchObject({ code: 'MODEL_DOWNLOAD_FAILED' });
    expect(err.message).toContain('cannot resolve host sightline-test.invalid');
    expect(err.message).toContain('npm run model:download');
    expect(err.message).toContain('npm run model:generate');
  });

  it('close() during a start stops it: start() rejects with CANCELLED and nothing stays loaded', async () => {
    const model = lifecycle({ MODEL_DIR: tinyModelDir() });
    const starting = model.start();
    await model.close();
    await expect(starting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(model.state().phase).toBe('failed');
    expect(() => model.extractor()).toThrow(expect.objectContaining({ code: 'MODEL_NOT_READY' }));
  });

  it('describes a generated model as one, never as SigLIP', async () => {
    const model = lifecycle({ MODEL_DIR: tinyModelDir() });
    expect(model.description()).toBe('google/siglip-base-patch16-224');
    await model.start();
    expect(model.description()).toBe('generated test model (random weights, seed 0), "tiny" SigLIP-architecture shape');
    await model.close();
  });
});
