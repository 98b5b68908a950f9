import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { createIngestJobs, type IngestJobs, type IngestJobsOptions } from '../../src/ingest/ingest-jobs.ts';
import type { IngestItemResult, IngestService } from '../../src/ingest/ingest-service.ts';
import { openJobRecords } from '../../src/ingest/job-records.ts';
import { silentLogger } from '../../src/logger.ts';

/**
 * An ingest whose objects finish one at a time, when the test says so. Like
 * the real one, it stops early when its signal aborts (items then fail CANCELLED).
 */
function steppedIngest() {
  const steps: Array<() => void> = [];
  const calls: unknown[][] = [];
  const service: IngestService = {
    async ingest(_collection, objects, opts = {}) {
      calls.push([...objects]);
      const results: IngestItemResult[] = [];
      for (const [index, object] of objects.entries()) {
        const signal = opts.signal;
        await new Promise<void>((resolve) => {
          if (signal?.aborted) return resolve();
          steps.push(resolve);
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        const result: IngestItemResult = signal?.aborted
          ? { index, status: 'failed', documentIds: [], error: { code: ErrorCode.CANCELLED, message: 'cancelled' } }
          : object === 'bad'
            ? { index, status: 'failed', documentIds: [], error: { code: ErrorCode.CORRUPT_IMAGE, message: 'truncated' } }
            : { index, status: 'stored', documentIds: [`doc-${String(object)}`] };
        opts.onResult?.(result);
        results.push(result);
      }
      return results;
    },
  };
  const step = async () => {
    while (steps.length === 0) await new Promise((r) => setImmediate(r));
    steps.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { service, step, calls };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-jobs-'));
  dirs.push(dir);
  return dir;
}

function jobsIn(dir: string, service: IngestService, opts: Partial<IngestJobsOptions> = {}): IngestJobs {
  const jobs = createIngestJobs(service, { records: () => openJobRecords(dir), logger: silentLogger, ...opts });
  jobs.resume();
  return jobs;
}

async function settled(jobs: IngestJobs, id: string) {
  for (;;) {
    const job = jobs.get(id);
    if (job.state === 'succeeded' || job.state === 'failed') return job;
    await new Promise((r) => setImmediate(r));
  }
}

describe('ingest jobs', () => {
  it('reports progress while running and every result once finished', async () => {
    const { service, step } = steppedIngest();
    const jobs = jobsIn(dataDir(), service);
    const started = jobs.start('products', ['a', 'bad', 'c']);
    expect(started).toMatchObject({ state: 'queued', total: 3, done: 0, failed: 0, results: null });

    await step();
    expect(jobs.get(started.id)).toMatchObject({ state: 'running', done: 1, failed: 0, results: null });
    // Jobs run one after another: a second one waits its turn.
    const second = jobs.start('products', ['d']);
    expect(jobs.get(second.id).state).toBe('queued');
    await step();
    await step();
    await step();
    expect(await settled(jobs, second.id)).toMatchObject({ state: 'succeeded', done: 1 });
    const finished = jobs.get(started.id);
    expect(finished).toMatchObject({ state: 'succeeded', done: 3, failed: 1, error: null });
    expect(finished.results?.map((r) => r.status)).toEqual(['stored', 'failed', 'stored']);
    await jobs.close();
  });

  it('reports the job queue depth: jobs waiting and running', async () => {
    const { service, step } = steppedIngest();
    const jobs = jobsIn(dataDir(), service);
    expect(jobs.depth()).toEqual({ queued: 0, running: 0 });
    jobs.start('products', ['a', 'b']);
    const last = jobs.start('products', ['c']);
    await step();
    expect(jobs.depth()).toEqual({ queued: 1, running: 1 });
    await step();
    await step();
    await settled(jobs, last.id);
    expect(jobs.depth()).toEqual({ queued: 0, running: 0 });
    await jobs.close();
  });

  it('marks the job failed, with a code, when the whole batch cannot run', async () => {
    const service: IngestService = {
      ingest: async () => {
        throw new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, 'collection "gone" does not exist');
      },
    };
    const jobs = jobsIn(dataDir(), service);
    const { id } = jobs.start('gone', [{}]);
    expect(await settled(jobs, id)).toMatchObject({ state: 'failed', error: { code: 'COLLECTION_NOT_FOUND' } });
    await jobs.close();
  });

  it('answers JOB_NOT_FOUND saying how long finished jobs are kept, and forgets them after that', async () => {
    const { service, step } = steppedIngest();
    const jobs = jobsIn(dataDir(), service, { retainMs: 0 });
    expect(() => jobs.get('nope')).toThrow(
      expect.objectContaining({ code: 'JOB_NOT_FOUND', message: expect.stringMatching(/kept for 0 minutes .*only to the server/) }),
    );
    const first = jobs.start('products', ['a']);
    await step();
    await settled(jobs, first.id);
    // The clock moves on by the test's word, not by a sleep: a millisecond later the job is past its retention.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 1);
      jobs.start('products', ['b']); // starting a job prunes expired ones
    } finally {
      vi.useRealTimers();
    }
    expect(() => jobs.get(first.id)).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
    await step();
    await jobs.close();
  });

  it('queues jobs without running them until resume (the server resumes once the model is ready)', async () => {
    const { service, calls } = steppedIngest();
    const jobs = createIngestJobs(service, { records: () => openJobRecords(dataDir()), logger: silentLogger, shutdownWaitMs: 0 });
    const { id } = jobs.start('products', ['a']);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
    expect(jobs.get(id).state).toBe('queued');
    jobs.resume();
    expect(jobs.get(id).state).toBe('running');
    await jobs.close();
  });

  it('refuses a job past INGEST_MAX_JOBS unfinished ones with JOB_QUEUE_FULL, and takes one again once a job ends', async () => {
    const { service, step } = steppedIngest();
    const jobs = jobsIn(dataDir(), service, { maxJobs: 2 });
    const first = jobs.start('products', ['a']);
    jobs.start('products', ['b']);
    expect(() => jobs.start('products', ['c'])).toThrow(
      expect.objectContaining({ code: 'JOB_QUEUE_FULL', details: { limit: 2 }, message: expect.stringContaining('INGEST_MAX_JOBS') }),
    );
    await step();
    await settled(jobs, first.id);
    expect(jobs.start('products', ['c']).state).toBe('queued');
    await step();
    await step();
    await jobs.close();
  });

  it('answers after a restart and resumes a job with only the items that have no result', async () => {
    const dir = dataDir();
    const before = steppedIngest();
    const crashed = jobsIn(dir, before.service);
    const { id } = crashed.start('products', ['a', 'b', 'c', 'd']);
    await before.step();
    await before.step();
    // The first process stops answering here, as after kill -9 (the child-process test does the real thing).

    const after = steppedIngest();
    const restarted = createIngestJobs(after.service, { records: () => openJobRecords(dir), logger: silentLogger });
    expect(restarted.get(id)).toMatchObject({ state: 'running', done: 2, total: 4, results: null });
    restarted.resume();
    await after.step();
    await after.step();
    const job = await settled(restarted, id);
    expect(after.calls).toEqual([['c', 'd']]);
    expect(job).toMatchObject({ state: 'succeeded', done: 4, failed: 0 });
    expect(job.results?.map((r) => [r.index, r.documentIds])).toEqual([
      [0, ['doc-a']],
      [1, ['doc-b']],
      [2, ['doc-c']],
      [3, ['doc-d']],
    ]);
    await restarted.close();
  });

  it('bounds how long shutdown waits: the running job stops where its stored items end and, like queued ones, resumes next start', async () => {
    const dir = dataDir();
    const first = steppedIngest();
    const jobs = jobsIn(dir, first.service, { shutdownWaitMs: 20 });
    const running = jobs.start('products', ['a', 'b', 'c']);
    const queued = jobs.start('products', ['d']);
    await first.step();
    // The remaining items would wait forever for a step: only the bound ends close().
    await jobs.close();
    expect(first.calls).toHaveLength(1);

    const second = steppedIngest();
    const restarted = createIngestJobs(second.service, { records: () => openJobRecords(dir), logger: silentLogger });
    expect(restarted.get(running.id)).toMatchObject({ state: 'queued', done: 1, failed: 0 });
    expect(restarted.get(queued.id)).toMatchObject({ state: 'queued', done: 0 });
    restarted.resume();
    for (let i = 0; i < 3; i++) await second.step();
    expect(await settled(restarted, running.id)).toMatchObject({ state: 'succeeded', done: 3, failed: 0 });
    expect(await settled(restarted, queued.id)).toMatchObject({ state: 'succeeded', done: 1 });
    expect(second.calls).toEqual([['b', 'c'], ['d']]);
    await restarted.close();
  });
});
