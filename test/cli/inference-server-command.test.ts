import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { featureByName } from '../../src/extractor/features/index.ts';
import { modelsDirWith, tinyModelDir } from '../fixtures/models.ts';

const BIN = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));
const run = promisify(execFile);
const baseEnv = () => ({ ...process.env, MODEL_DIR: tinyModelDir(), INFERENCE_THREADS: '1', LOG_LEVEL: 'warn' });

async function embedText(text: string, env: NodeJS.ProcessEnv): Promise<number[]> {
  const { stdout } = await run(process.execPath, [BIN, 'embed-text', text], { env });
  return (JSON.parse(stdout.trim()) as { embedding: number[] }).embedding;
}

describe('sightline inference-server', () => {
  it('serves the model to `embed-text` with INFERENCE_BACKEND=kserve, giving the in-process vector, and stops on SIGTERM', async () => {
    const server = spawn(process.execPath, [BIN, 'inference-server', '--port', '0'], { env: baseEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(readline.createInterface({ input: server.stdout }), 'line')) as [string];
      const { url, models } = JSON.parse(line) as { url: string; models: string[] };
      expect(models).toEqual(['google_siglip_base_v1_vision', 'google_siglip_base_v1_text']);
      expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);

      const [remote, local] = await Promise.all([
        // INFERENCE_THREADS belongs to in-process inference: a remote client is refused it.
        embedText('red leather sneakers', { ...baseEnv(), INFERENCE_THREADS: undefined, INFERENCE_BACKEND: 'kserve', INFERENCE_URL: url }),
        embedText('red leather sneakers', baseEnv()),
      ]);
      expect(remote).toHaveLength(768);
      expect(Math.max(...remote.map((v, i) => Math.abs(v - (local[i] as number))))).toBeLessThan(1e-6);

      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  it('serves several models at once with --model, each tower under its own name and shape', async () => {
    const large = featureByName('google_siglip_large_v1')!;
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-inference-server-'));
    const env = { ...baseEnv(), MODELS_DIR: modelsDirWith(parent, large) };
    const server = spawn(process.execPath, [BIN, 'inference-server', '--port', '0', '--model', 'google_siglip_base_v1,google_siglip_large_v1'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(readline.createInterface({ input: server.stdout }), 'line')) as [string];
      const { url, models } = JSON.parse(line) as { url: string; models: string[] };
      expect(models).toEqual(['google_siglip_base_v1_vision', 'google_siglip_base_v1_text', 'google_siglip_large_v1_vision', 'google_siglip_large_v1_text']);
      expect(await (await fetch(`${url}/v2/models/google_siglip_large_v1_vision`)).json()).toMatchObject({
        inputs: [{ name: 'pixel_values', shape: [-1, 3, large.imageSize, large.imageSize] }],
        outputs: [{ name: 'pooler_output', shape: [-1, large.dimensions] }],
      });
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('refuses to start where INFERENCE_BACKEND=kserve, since it runs the model itself', async () => {
    const failed = run(process.execPath, [BIN, 'inference-server', '--port', '0'], {
      env: { ...baseEnv(), INFERENCE_THREADS: undefined, INFERENCE_BACKEND: 'kserve', INFERENCE_URL: 'http://127.0.0.1:9' },
    });
    await expect(failed).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unset INFERENCE_BACKEND') });
  });
});
