/**
 * A job survives kill -9: the server process is killed mid-job, a new one
 * starts on the same DATA_DIR, and the job finishes with every item stored
 * once; items stored before the kill are not fetched again.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { openJobRecords } from '../../src/ingest/job-records.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { startTestApp } from './harness.ts';

const child = fileURLToPath(new URL('./job-restart-child.ts', import.meta.url));
const ITEMS = 8;
// The child is killed when it asks for this image: items before it are stored, this one is mid-way.
const HELD = 5;

/** Serves /img/<i>.jpg, counting requests; while `holding`, requests for HELD and later never get an answer. */
async function imageServer(images: Buffer[]) {
  const counts = new Map<number, number>();
  const held: http.ServerResponse[] = [];
  let holding = true;
  let reachedHeld!: () => void;
  const reached = new Promise<void>((resolve) => (reachedHeld = resolve));
  const server = http.createServer((req, res) => {
    const i = Number(/^\/img\/(\d+)\.jpg$/.exec(req.url ?? '')?.[1] ?? -1);
    counts.set(i, (counts.get(i) ?? 0) + 1);
    if (holding && i >= HELD) {
      held.push(res);
      if (i === HELD) reachedHeld();
      return;
    }
    const body = images[i];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (i: number) => `http://127.0.0.1:${port}/img/${i}.jpg`,
    count: (i: number) => counts.get(i) ?? 0,
    reached,
    release() {
      holding = false;
      for (const res of held.splice(0)) res.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

it('finishes a job after kill -9 and a restart, storing every item once and redoing none that was stored', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-job-restart-'));
  const images = await Promise.all(Array.from({ length: ITEMS }, (_, i) => photoLikeJpeg(64 + i, 48, 40 + i)));
  const server = await imageServer(images);
  try {
    const objects = images.map((_, i) => ({ product_image: server.url(i), metadata: { sku: `S-${i}` } }));
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, JSON.stringify(objects)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const jobId = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /\{.*\}\n/.exec(out)?.[0];
        if (line) resolve((JSON.parse(line) as { jobId: string }).jobId);
      });
      proc.on('exit', (code) => reject(new Error(`child exited (${code}) before queueing the job`)));
    });
    await server.reached;
    proc.kill('SIGKILL');
    await new Promise((resolve) => proc.once('exit', resolve));
    expect(proc.signalCode).toBe('SIGKILL');
    server.release();

    // What the dead process left on disk: a running job with the items before HELD recorded.
    const records = openJobRecords(dataDir);
    expect(records.get(jobId)).toMatchObject({ state: 'running', total: ITEMS });
    expect(records.progress(jobId)).toEqual({ done: HELD, failed: 0 });
    records.close();

    const app = await startTestApp({ DATA_DIR: dataDir, INGEST_CONCURRENCY: '1' });
    try {
      let job = app.jobs.get(jobId);
      while (job.state !== 'succeeded' && job.state !== 'failed') {
        await new Promise((r) => setTimeout(r, 20));
        job = app.jobs.get(jobId);
      }
      expect(job).toMatchObject({ state: 'succeeded', total: ITEMS, done: ITEMS, failed: 0 });
      expect(job.results?.map((r) => [r.index, r.status])).toEqual(objects.map((_, i) => [i, 'stored']));
      const ids = new Set(job.results?.flatMap((r) => r.documentIds));
      expect(ids.size).toBe(ITEMS);
      expect((await app.collections.require('products')).documentCount).toBe(ITEMS);
      // Stored before the kill: not fetched again. The one caught mid-way: fetched again.
      expect(Array.from({ length: ITEMS }, (_, i) => server.count(i))).toEqual(objects.map((_, i) => (i === HELD ? 2 : 1)));
    } finally {
      await app.dispose();
    }
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
