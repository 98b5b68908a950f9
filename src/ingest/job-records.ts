/**
 * Ingest jobs on disk, beside the data: tables in DATA_DIR/sightline.db (also
 * when the vectors live in Qdrant), so a job outlives its process. A job's
 * objects are kept until it finishes, and each item's result is written the
 * moment the item is stored or failed (durably: see sqlite-file.ts): after a
 * crash the job resumes with the items that have no result. Rows are checked
 * against a schema when read back.
 */
import { z } from 'zod';
import { ErrorCode } from '../errors.ts';
import { openSqliteFile } from '../store/sqlite-file.ts';
import { checkStored, parseStoredJson, storedDataInvalid } from '../store/stored-data.ts';
import type { IngestItemResult, ItemError } from './ingest-service.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobRecord {
  id: string;
  collection: string;
  state: JobState;
  total: number;
  error: ItemError | null;
  /** Milliseconds since the epoch; null while unfinished. */
  finishedAt: number | null;
}

export interface JobProgress {
  done: number;
  failed: number;
}

export interface JobRecords {
  insert(job: { id: string; collection: string; objects: readonly unknown[] }): void;
  get(id: string): JobRecord | undefined;
  /** The submitted objects of an unfinished job. */
  objects(id: string): unknown[];
  progress(id: string): JobProgress;
  /** Every recorded item result, by index. */
  results(id: string): IngestItemResult[];
  /** Indexes that have a result already. */
  doneIndexes(id: string): Set<number>;
  recordResult(id: string, result: IngestItemResult): void;
  setState(id: string, state: 'queued' | 'running'): void;
  /** Ends the job and drops its objects (the results stay). */
  finish(id: string, state: 'succeeded' | 'failed', error: ItemError | null, at: number): void;
  /** Unfinished jobs, oldest first. */
  unfinished(): JobRecord[];
  /** Removes finished jobs that ended before `before`, and all but the newest `keep` finished ones. */
  prune(before: number, keep: number): void;
  close(): void;
}

const details = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const itemError = z.object({ code: z.enum(ErrorCode), message: z.string(), details: details.optional() });
const itemResult = z.discriminatedUnion('status', [
  z.object({ index: z.number().int().min(0), status: z.literal('stored'), documentIds: z.array(z.string()) }),
  z.object({ index: z.number().int().min(0), status: z.literal('failed'), documentIds: z.tuple([]), error: itemError }),
]);
const jobRow = z.object({
  id: z.string(),
  collection: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  total: z.number().int().min(0),
  error: z.string().nullable(),
  finished_at: z.number().int().nullable(),
});
const objectsRow = z.object({ objects: z.string() });
const resultRow = z.object({ result: z.string() });
const progressRow = z.object({ done: z.number().int(), failed: z.number().int().nullable() });

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ingest_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    collection TEXT NOT NULL,
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    objects TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  ) STRICT;
  CREATE TABLE IF NOT EXISTS ingest_job_items (
    job_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (job_id, idx)
  ) STRICT;
`;

const inJobs = (what: string) => ({ what: `${what} in the ingest job database` });

function toRecord(row: unknown): JobRecord {
  const r = checkStored(jobRow, row, inJobs('a job row'));
  return {
    id: r.id,
    collection: r.collection,
    state: r.state,
    total: r.total,
    error: r.error === null ? null : parseStoredJson(itemError, r.error, inJobs(`job ${r.id}'s error`)),
    finishedAt: r.finished_at,
  };
}

/**
 * A file uploaded with the job (multipart) is a Buffer in its object, which
 * JSON would turn into a list of numbers no source parser reads: it is kept as
 * the `{ "base64": … }` upload form instead, which names the same bytes (and so
 * the same document ids).
 */
function keepFileBytes(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify hands over Buffer.toJSON()'s result; the holder still has the Buffer.
  const original = (this as Record<string, unknown>)[key];
  return Buffer.isBuffer(original) ? { base64: original.toString('base64') } : value;
}

const JOB_COLUMNS = 'id, collection, state, total, error, finished_at';

export function openJobRecords(dataDir: string): JobRecords {
  const db = openSqliteFile(dataDir, SCHEMA, 'the ingest job database');
  const sql = {
    insert: db.prepare<[string, string, string, number, string, number]>(
      'INSERT INTO ingest_jobs (id, collection, state, total, objects, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    get: db.prepare<[string]>(`SELECT ${JOB_COLUMNS} FROM ingest_jobs WHERE id = ?`),
    objects: db.prepare<[string]>('SELECT objects FROM ingest_jobs WHERE id = ? AND objects IS NOT NULL'),
    progress: db.prepare<[string]>('SELECT COUNT(*) AS done, SUM(failed) AS failed FROM ingest_job_items WHERE job_id = ?'),
    results: db.prepare<[string]>('SELECT result FROM ingest_job_items WHERE job_id = ? ORDER BY idx'),
    doneIndexes: db.prepare<[string], { idx: number }>('SELECT idx FROM ingest_job_items WHERE job_id = ?'),
    // A resumed item that finishes again keeps its latest result.
    recordResult: db.prepare<[string, number, number, string]>(
      'INSERT OR REPLACE INTO ingest_job_items (job_id, idx, failed, result) VALUES (?, ?, ?, ?)',
    ),
    setState: db.prepare<[string, string]>('UPDATE ingest_jobs SET state = ? WHERE id = ?'),
    finish: db.prepare<[string, string | null, number, string]>(
      'UPDATE ingest_jobs SET state = ?, error = ?, finished_at = ?, objects = NULL WHERE id = ?',
    ),
    unfinished: db.prepare<[]>(`SELECT ${JOB_COLUMNS} FROM ingest_jobs WHERE finished_at IS NULL ORDER BY seq`),
    expired: db.prepare<[number, number], { id: string }>(
      `SELECT id FROM ingest_jobs WHERE finished_at IS NOT NULL
         AND (finished_at < ? OR id NOT IN (SELECT id FROM ingest_jobs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC, seq DESC LIMIT ?))`,
    ),
    deleteJob: db.prepare<[string]>('DELETE FROM ingest_jobs WHERE id = ?'),
    deleteItems: db.prepare<[string]>('DELETE FROM ingest_job_items WHERE job_id = ?'),
  };
  const prune = db.transaction((before: number, keep: number) => {
    for (const { id } of sql.expired.all(before, keep)) {
      sql.deleteItems.run(id);
      sql.deleteJob.run(id);
    }
  });

  return {
    insert({ id, collection, objects }) {
      sql.insert.run(id, collection, 'queued', objects.length, JSON.stringify(objects, keepFileBytes), Date.now());
    },
    get(id) {
      const row = sql.get.get(id);
      return row === undefined ? undefined : toRecord(row);
    },
    objects(id) {
      const source = inJobs(`job ${id}'s objects`);
      const row = sql.objects.get(id);
      if (row === undefined) throw storedDataInvalid(source, 'missing');
      return parseStoredJson(z.array(z.unknown()), checkStored(objectsRow, row, source).objects, source);
    },
    progress(id) {
      const row = checkStored(progressRow, sql.progress.get(id), inJobs(`job ${id}'s progress`));
      return { done: row.done, failed: row.failed ?? 0 };
    },
    results(id) {
      const source = inJobs(`an item result of job ${id}`);
      return sql.results.all(id).map((row) => parseStoredJson(itemResult, checkStored(resultRow, row, source).result, source));
    },
    doneIndexes: (id) => new Set(sql.doneIndexes.all(id).map((r) => r.idx)),
    recordResult(id, result) {
      sql.recordResult.run(id, result.index, result.status === 'failed' ? 1 : 0, JSON.stringify(result));
    },
    setState(id, state) {
      sql.setState.run(state, id);
    },
    finish(id, state, error, at) {
      sql.finish.run(state, error === null ? null : JSON.stringify(error), at, id);
    },
    unfinished: () => sql.unfinished.all().map(toRecord),
    prune: (before, keep) => prune(before, keep),
    close: () => db.close(),
  };
}
