import { describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { createIngestJobs } from '../../src/ingest/ingest-jobs.ts';
import type { IngestItemResult, IngestService } from '../../src/ingest/ingest-service.ts';
import { silentLogger } from '../../src/logger.ts';

/** An ingest whose objects finish one at a time, when the test says so. */
function steppedIngest() {
  const steps: Array<() => void> = [];
  const service: IngestService = {
    async ingest(_collection, objects, opts = {}) {
      const results: IngestItemResult[] = [];
      for (const [index, object] of objects.entries()) {
        await new Promise<void>((resolve) => steps.push(resolve));
        const result: IngestItemResult =
          object === 'bad'
            ? { index, status: 'failed', documentIds: [], error: { code: ErrorCode.CORRUPT_IMAGE, message: 'truncated' } }
            : { index, status: 'stored', documentIds: [`doc-${index}`] };
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
  return { service, step };
}

describe('ingest jobs', () => {
  it('reports progress while running and every result once finished', async () => {
    const { service, step } = steppedIngest();
    const jobs = createIngestJobs(service, { logger: silentLogger });
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
    await jobs.drain();
    expect(jobs.get(second.id)).toMatchObject({ state: 'succeeded', done: 1 });
    const finished = jobs.get(started.id);
    expect(finished).toMatchObject({ state: 'succeeded', done: 3, failed: 1, error: null });
    expect(finished.results?.map((r) => r.status)).toEqual(['stored', 'failed', 'stored']);
  });

  it('reports the job queue depth: jobs waiting and running', async () => {
    const { service, step } = steppedIngest();
    const jobs = createIngestJobs(service, { logger: silentLogger });
    expect(jobs.depth()).toEqual({ queued: 0, running: 0 });
    jobs.start('products', ['a', 'b']);
    jobs.start('products', ['c']);
    await step();
    expect(jobs.depth()).toEqual({ queued: 1, running: 1 });
    await step();
    await step();
    await jobs.drain();
    expect(jobs.depth()).toEqual({ queued: 0, running: 0 });
  });

  it('marks the job failed, with a code, when the whole batch cannot run', async () => {
    const service: IngestService = {
      ingest: async () => {
        throw new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, 'collection "gone" does not exist');
      },
    };
    const jobs = createIngestJobs(service, { logger: silentLogger });
    const { id } = jobs.start('gone', [{}]);
    await jobs.drain();
    expect(jobs.get(id)).toMatchObject({ state: 'failed', error: { code: 'COLLECTION_NOT_FOUND' } });
  });

  it('answers JOB_NOT_FOUND for an unknown id and forgets finished jobs after their retention', async () => {
    const { service, step } = steppedIngest();
    const jobs = createIngestJobs(service, { logger: silentLogger, retainMs: 0 });
    expect(() => jobs.get('nope')).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
    const first = jobs.start('products', ['a']);
    await step();
    await jobs.drain();
    await new Promise((r) => setTimeout(r, 2));
    jobs.start('products', []); // starting a job prunes expired ones
    expect(() => jobs.get(first.id)).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
  });
});
