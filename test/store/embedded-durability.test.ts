import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { EXPECTED, id } from './conformance.ts';

const child = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

it('keeps an acknowledged upsert when the process is killed with SIGKILL right after', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-durable-'));
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('acked')) {
          proc.kill('SIGKILL');
          resolve();
        }
      });
      proc.on('exit', (code) => reject(new Error(`child exited (${code}) before acknowledging`)));
    });
    await new Promise((resolve) => proc.once('exit', resolve));
    expect(proc.signalCode).toBe('SIGKILL');

    const store = createEmbeddedStore({ dataDir, expected: EXPECTED, logger: silentLogger });
    const [point] = await store.get('durable', [id(42)], { withVector: true });
    expect(point?.payload).toEqual({ survived: true });
    expect(point?.vector?.[1]).toBeCloseTo(2 / Math.sqrt(5), 6);
    await store.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
