import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tinyModelDir } from '../fixtures/models.ts';

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

  it('refuses to start where INFERENCE_BACKEND=kserve, since it runs the model itself', async () => {
    const failed = run(process.execPath, [BIN, 'inference-server', '--port', '0'], {
      env: { ...baseEnv(), INFERENCE_THREADS: undefined, INFERENCE_BACKEND: 'kserve', INFERENCE_URL: 'http://127.0.0.1:9' },
    });
    await expect(failed).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unset INFERENCE_BACKEND') });
  });
});
