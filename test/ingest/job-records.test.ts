import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openJobRecords, type JobRecords } from '../../src/ingest/job-records.ts';
import { parseSourceRef, sourceLabel } from '../../src/sources/index.ts';
import { DB_FILE } from '../../src/store/sqlite-file.ts';

let dir: string;
let records: JobRecords;
let raw: Database.Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-job-records-'));
  records = openJobRecords(dir);
  raw = new Database(path.join(dir, DB_FILE));
  records.insert({ id: 'job-1', collection: 'products', objects: [{ a: 1 }, { b: 2 }] });
});
afterEach(() => {
  raw.close();
  records.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('reads back what it wrote', () => {
  records.recordResult('job-1', { index: 1, status: 'failed', documentIds: [], error: { code: 'CORRUPT_IMAGE', message: 'truncated' } });
  expect(records.get('job-1')).toMatchObject({ id: 'job-1', collection: 'products', state: 'queued', total: 2, error: null });
  expect(records.objects('job-1')).toEqual([{ a: 1 }, { b: 2 }]);
  expect(records.progress('job-1')).toEqual({ done: 1, failed: 1 });
  expect([...records.doneIndexes('job-1')]).toEqual([1]);
});

it('keeps an uploaded file (a Buffer) as the same bytes, so a resumed item gets the same document', () => {
  const file = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
  records.insert({ id: 'job-2', collection: 'products', objects: [{ image: file, sku: 'x' }] });
  const [object] = records.objects('job-2') as Array<{ image: unknown; sku: string }>;
  expect(object?.sku).toBe('x');
  expect(sourceLabel(parseSourceRef(object?.image))).toBe(sourceLabel(parseSourceRef(file)));
});

// The file outlives the code that wrote it: a row no version of Sightline writes is refused, never trusted.
it.each([
  ['a state no job has', `UPDATE ingest_jobs SET state = 'exploded'`, (r: JobRecords) => r.get('job-1')],
  ['an error that is not JSON', `UPDATE ingest_jobs SET error = '{oops'`, (r: JobRecords) => r.get('job-1')],
  ['an error with an unknown code', `UPDATE ingest_jobs SET error = '{"code":"NOPE","message":"x"}'`, (r: JobRecords) => r.get('job-1')],
  ['objects that are not an array', `UPDATE ingest_jobs SET objects = '{"a":1}'`, (r: JobRecords) => r.objects('job-1')],
  [
    'an item result of the wrong shape',
    `INSERT INTO ingest_job_items (job_id, idx, failed, result) VALUES ('job-1', 0, 0, '{"index":0,"status":"stored"}')`,
    (r: JobRecords) => r.results('job-1'),
  ],
])('refuses a row with %s as STORE_DATA_INVALID naming the job database', (_, sql, read) => {
  raw.exec(sql);
  const refusal = { code: 'STORE_DATA_INVALID', details: expect.objectContaining({ what: expect.stringMatching(/in the ingest job database$/) }) };
  expect(() => read(records)).toThrow(expect.objectContaining(refusal));
});
