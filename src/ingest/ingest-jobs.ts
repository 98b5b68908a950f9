/**
 * Large batches run as jobs: the caller gets an id at once and polls for
 * progress. Jobs run one after another (each already keeps the inference
 * batches full), so a second job waits as `queued`. Jobs live in this process's memory (a job is polled on the replica
 * that runs it); finished ones are kept for `retainMs`, at most `maxRetained`.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, SightlineError, toSightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { IngestItemResult, IngestService, ItemError } from './ingest-service.ts';

export type IngestJobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface IngestJob {
  id: string;
  collection: string;
  state: IngestJobState;
  total: number;
  done: number;
  failed: number;
  results: IngestItemResult[] | null;
  error: ItemError | null;
}

export interface IngestJobs {
  start(collection: string, objects: readonly unknown[]): IngestJob;
  get(id: string): IngestJob;
  /** Waits for running jobs (graceful shutdown). */
  drain(): Promise<void>;
  /** Jobs waiting and running now (the job queue depth metric). */
  depth(): { queued: number; running: number };
}

export function createIngestJobs(
  ingest: IngestService,
  opts: { logger: Logger; retainMs?: number; maxRetained?: number },
): IngestJobs {
  const retainMs = opts.retainMs ?? 60 * 60 * 1000;
  const maxRetained = opts.maxRetained ?? 1000;
  const jobs = new Map<string, { job: IngestJob; finishedAt?: number }>();
  let tail: Promise<void> = Promise.resolve();

  const prune = () => {
    const now = Date.now();
    const finished = [...jobs.values()].filter((e) => e.finishedAt !== undefined);
    for (const e of finished) if (now - (e.finishedAt as number) > retainMs) jobs.delete(e.job.id);
    const excess = finished.length - maxRetained;
    for (const e of finished.slice(0, Math.max(0, excess))) jobs.delete(e.job.id);
  };

  const run = async (entry: { job: IngestJob; finishedAt?: number }, objects: readonly unknown[]) => {
    const { job } = entry;
    const log = opts.logger.child({ jobId: job.id, collection: job.collection });
    job.state = 'running';
    log.info('ingest job started', { total: job.total });
    try {
      job.results = await ingest.ingest(job.collection, objects, {
        logger: log,
        onResult: (r) => {
          job.done++;
          if (r.status === 'failed') job.failed++;
        },
      });
      job.state = 'succeeded';
    } catch (err) {
      const e = toSightlineError(err);
      job.error = { code: e.code, message: e.message };
      job.state = 'failed';
      log.error('ingest job failed', { err });
    }
    entry.finishedAt = Date.now();
    log.info('ingest job finished', { state: job.state, done: job.done, failed: job.failed });
  };

  return {
    start(collection, objects) {
      prune();
      const job: IngestJob = {
        id: randomUUID(),
        collection,
        state: 'queued',
        total: objects.length,
        done: 0,
        failed: 0,
        results: null,
        error: null,
      };
      const entry = { job };
      jobs.set(job.id, entry);
      const snapshot = { ...job };
      tail = tail.then(() => run(entry, objects));
      return snapshot;
    },
    get(id) {
      const entry = jobs.get(id);
      if (!entry) throw new SightlineError(ErrorCode.JOB_NOT_FOUND, `no ingest job "${id}" (finished jobs are kept for ${retainMs / 60000} minutes)`, { id });
      return { ...entry.job };
    },
    drain: () => tail,
    depth() {
      const states = [...jobs.values()].map((e) => e.job.state);
      return { queued: states.filter((s) => s === 'queued').length, running: states.filter((s) => s === 'running').length };
    },
  };
}
