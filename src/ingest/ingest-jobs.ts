/**
 * Large batches run as jobs: the caller gets an id at once and polls for
 * progress. Jobs run one after another (each already keeps the inference
 * batches full), so a second job waits as `queued`.
 *
 * Jobs are recorded on disk (job-records.ts), so `get` answers after a restart
 * and a job that was queued or running resumes on the next start with the
 * items that have no result yet. Items already stored are not redone; an item
 * caught mid-way is done again, which updates its documents (ids derive from
 * the source) rather than adding twins.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, SightlineError, toSightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { IngestItemResult, IngestService, ItemError } from './ingest-service.ts';
import type { JobRecords, JobState } from './job-records.ts';

export type IngestJobState = JobState;

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
  /** Records the job as queued. JOB_QUEUE_FULL when `maxJobs` are unfinished. */
  start(collection: string, objects: readonly unknown[]): IngestJob;
  /** JOB_NOT_FOUND. */
  get(id: string): IngestJob;
  /**
   * Starts running jobs, those an earlier process left unfinished first. Until
   * then jobs only queue: the server calls this once the model is ready.
   */
  resume(): void;
  /**
   * Runs no further job (queued ones stay queued for the next start), gives
   * the running one up to `shutdownWaitMs` to finish, then stops it where its
   * stored items end; it resumes on the next start.
   */
  close(): Promise<void>;
  /** Jobs waiting and running now (the job queue depth metric). */
  depth(): { queued: number; running: number };
}

export interface IngestJobsOptions {
  /** Opened on first use, so a process that never touches jobs creates no file. */
  records: () => JobRecords;
  logger: Logger;
  /** Unfinished (queued or running) jobs this server holds at most. @default 8 (INGEST_MAX_JOBS) */
  maxJobs?: number;
  /** @default 30000 (INGEST_JOB_SHUTDOWN_WAIT_MS) */
  shutdownWaitMs?: number;
  /** How long a finished job stays readable. @default 60 minutes */
  retainMs?: number;
  /** Finished jobs kept at most, newest first. @default 1000 */
  maxRetained?: number;
}

export function createIngestJobs(ingest: IngestService, opts: IngestJobsOptions): IngestJobs {
  const maxJobs = opts.maxJobs ?? 8;
  const shutdownWaitMs = opts.shutdownWaitMs ?? 30_000;
  const retainMs = opts.retainMs ?? 60 * 60 * 1000;
  const maxRetained = opts.maxRetained ?? 1000;
  let records: JobRecords | undefined;
  const db = () => (records ??= opts.records());
  let resumed = false;
  let closing = false;
  let running: { id: string; abort: AbortController; done: Promise<void> } | undefined;

  const snapshot = (id: string): IngestJob => {
    const record = db().get(id);
    if (!record) {
      throw new SightlineError(
        ErrorCode.JOB_NOT_FOUND,
        `no ingest job "${id}" on this server: finished jobs are kept for ${Math.round(retainMs / 60_000)} minutes ` +
          `(the newest ${maxRetained}), and a job is known only to the server whose data directory accepted it`,
        { id },
      );
    }
    const finished = record.finishedAt !== null;
    return {
      id: record.id,
      collection: record.collection,
      state: record.state,
      total: record.total,
      ...db().progress(id),
      results: finished ? db().results(id) : null,
      error: record.error,
    };
  };

  const run = async (id: string, abort: AbortController): Promise<void> => {
    const record = db().get(id);
    if (!record) return;
    const log = opts.logger.child({ jobId: id, collection: record.collection });
    try {
      const objects = db().objects(id);
      const done = db().doneIndexes(id);
      const todo = objects.flatMap((_, index) => (done.has(index) ? [] : [index]));
      db().setState(id, 'running');
      log.info(done.size > 0 ? 'ingest job resumed' : 'ingest job started', { total: record.total, remaining: todo.length });
      await ingest.ingest(
        record.collection,
        todo.map((index) => objects[index]),
        {
          signal: abort.signal,
          logger: log,
          onResult: (r) => {
            // An item cut short by shutdown has no result: it runs again on the next start.
            if (!abort.signal.aborted) db().recordResult(id, { ...r, index: todo[r.index] ?? r.index });
          },
        },
      );
      if (abort.signal.aborted) return interrupted(id, log);
      db().finish(id, 'succeeded', null, Date.now());
    } catch (err) {
      if (abort.signal.aborted) return interrupted(id, log);
      // Whatever went wrong, the job ends here: left unfinished it would be picked again at once.
      const e = toSightlineError(err);
      db().finish(id, 'failed', { code: e.code, message: e.message }, Date.now());
      log.error('ingest job failed', { err });
    }
    log.info('ingest job finished', { ...db().progress(id), state: db().get(id)?.state });
  };

  const interrupted = (id: string, log: Logger) => {
    db().setState(id, 'queued');
    log.info('ingest job interrupted by shutdown; it resumes on the next start', { ...db().progress(id) });
  };

  const pump = () => {
    if (!resumed || closing || running) return;
    let next;
    try {
      next = db().unfinished()[0];
    } catch (err) {
      // Polling still reports the database's error; the queue waits for the next start or job.
      opts.logger.error('cannot read the ingest job queue', { err });
      return;
    }
    if (!next) return;
    const abort = new AbortController();
    const done = run(next.id, abort)
      .catch((err: unknown) => opts.logger.error('ingest job could not run', { jobId: next.id, err }))
      .finally(() => {
        running = undefined;
        pump();
      });
    running = { id: next.id, abort, done };
  };

  return {
    start(collection, objects) {
      db().prune(Date.now() - retainMs, maxRetained);
      const unfinished = db().unfinished().length;
      if (unfinished >= maxJobs) {
        throw new SightlineError(
          ErrorCode.JOB_QUEUE_FULL,
          `this server already holds ${unfinished} unfinished ingest jobs (INGEST_MAX_JOBS=${maxJobs}); ` +
            'wait for one to finish (poll ingestJob) and send the batch again',
          { limit: maxJobs },
        );
      }
      const id = randomUUID();
      db().insert({ id, collection, objects });
      const job = snapshot(id);
      pump();
      return job;
    },
    get: snapshot,
    resume() {
      resumed = true;
      pump();
    },
    async close() {
      closing = true;
      const current = running;
      if (current) {
        const finished = await Promise.race([current.done.then(() => true), sleep(shutdownWaitMs, false, { ref: false })]);
        if (!finished) current.abort.abort(new SightlineError(ErrorCode.CANCELLED, 'the server is shutting down'));
        await current.done;
      }
      records?.close();
      records = undefined;
    },
    depth() {
      // After close nothing runs here any more (and the file is not reopened for a metric).
      if (closing && !records) return { queued: 0, running: 0 };
      const active = running ? 1 : 0;
      return { queued: db().unfinished().length - active, running: active };
    },
  };
}
