import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { BINDING, clustered, openingLog, uuid } from './ann-fixtures.ts';
import { EXPECTED, id } from './conformance.ts';

const child = fileURLToPath(new URL('./durability-child.ts', import.meta.url));
const catchUpChild = fileURLToPath(new URL('./ann-catch-up-child.ts', import.meta.url));

/** Runs `script` with `dataDir` until it prints "acked", then kills it with SIGKILL. */
async function killAfterAck(script: string, dataDir: string): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
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
}

it('keeps an acknowledged upsert when the process is killed with SIGKILL right after', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-durable-'));
  try {
    await killAfterAck(child, dataDir);

    const store = createEmbeddedStore({ dataDir, features: [EXPECTED], logger: silentLogger });
    const [point] = await store.get('durable', [id(42)], { withVector: true });
    expect(point?.payload).toEqual({ survived: true });
    expect(point?.vector?.[1]).toBeCloseTo(2 / Math.sqrt(5), 6);
    await store.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

it('catches a saved index up with the writes acknowledged after it, when the writer was killed with SIGKILL', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-durable-ann-'));
  try {
    await killAfterAck(catchUpChild, dataDir);
    const { logger, opened } = openingLog();
    // A zero full-scan threshold makes every search walk the graph, so a point missing from the index would be missed.
    const store = createEmbeddedStore({ dataDir, features: [BINDING], logger, fullScanThresholdKb: 0 });
    const vectors = clustered(460, 12, 3);
    for (let n = 400; n < 460; n++) {
      const [hit] = await store.search('lagging', { vector: vectors[n]!, limit: 1 });
      expect(hit?.id).toBe(uuid(n));
    }
    for (let n = 0; n < 10; n++) {
      const hits = await store.search('lagging', { vector: vectors[n]!, limit: 5 });
      expect(hits.map((h) => h.id)).not.toContain(uuid(n));
    }
    expect(await store.count('lagging')).toBe(450);
    expect(opened).toMatchObject([{ collection: 'lagging', index: 'loaded', replayed: 70, points: 450 }]);
    await store.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
