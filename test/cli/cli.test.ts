import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { tinyModelDir } from '../fixtures/models.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';

const BIN = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  code: number;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

let dir: string;
const env = () => ({ ...process.env, MODEL_DIR: tinyModelDir(), DATA_DIR: path.join(dir, 'data'), INFERENCE_THREADS: '1', LOG_LEVEL: 'warn' });

async function sightline(args: string[], cwd?: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: env(), cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, lines: parse(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, lines: parse(e.stdout), stderr: e.stderr };
  }
}

const parse = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-cli-'));
  await fs.writeFile(path.join(dir, 'a.jpg'), await photoLikeJpeg(120, 90, 1));
  await fs.writeFile(path.join(dir, 'b.jpg'), await photoLikeJpeg(90, 120, 2));
  await fs.writeFile(path.join(dir, 'spec.pdf'), multiPagePdf([[255, 0, 0], [0, 0, 255]]));
  await fs.writeFile(path.join(dir, 'notes.txt'), 'plain text, not an image');
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('sightline embed', () => {
  it('prints one line per image and per PDF page, in input order, and exits 0', async () => {
    const out = await sightline(['embed', path.join(dir, 'a.jpg'), path.join(dir, 'spec.pdf'), path.join(dir, 'b.jpg')]);
    expect(out.code).toBe(0);
    expect(out.lines.map((l) => [path.basename(String(l.input)), l.page_number, l.total_pages])).toEqual([
      ['a.jpg', undefined, undefined],
      ['spec.pdf', 1, 2],
      ['spec.pdf', 2, 2],
      ['b.jpg', undefined, undefined],
    ]);
    for (const line of out.lines) {
      expect(line.embedding).toHaveLength(768);
      expect(typeof line.processing_time_ms).toBe('number');
    }
  });

  it('prints every line but exits 1 when an input fails, with its code', async () => {
    const out = await sightline(['embed', path.join(dir, 'notes.txt'), path.join(dir, 'a.jpg'), path.join(dir, 'missing.jpg')]);
    expect(out.code).toBe(1);
    expect(out.lines).toHaveLength(3);
    expect(out.lines[0]?.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(out.lines[1]?.embedding).toHaveLength(768);
    expect(out.lines[2]?.error).toMatchObject({ code: 'SOURCE_NOT_FOUND', message: expect.stringContaining('missing.jpg') });
  });

  it('reads paths relative to the current folder, and plain base64', async () => {
    const b64 = (await fs.readFile(path.join(dir, 'b.jpg'))).toString('base64');
    const out = await sightline(['embed', 'a.jpg', b64], dir);
    expect(out.code).toBe(0);
    expect(out.lines.map((l) => (l.embedding as number[]).length)).toEqual([768, 768]);
  });

  it('exits 2 on a usage error', async () => {
    expect((await sightline(['embed'])).code).toBe(2);
    expect((await sightline(['embed', '--batch-size', 'zero', 'x.jpg'])).code).toBe(2);
    expect((await sightline(['frobnicate'])).code).toBe(2);
  });
});

describe('sightline embed-text', () => {
  it('prints the 64 input ids and the embedding of each text', async () => {
    const out = await sightline(['embed-text', 'red leather sneakers', 'a blue mug']);
    expect(out.code).toBe(0);
    expect(out.lines.map((l) => l.text)).toEqual(['red leather sneakers', 'a blue mug']);
    expect(out.lines[0]?.input_ids).toHaveLength(64);
    expect(out.lines[0]?.embedding).toHaveLength(768);
  });

  it('refuses an empty text with EMPTY_INPUT, as the API does, and exits 1', async () => {
    const out = await sightline(['embed-text', 'a blue mug', ' ']);
    expect(out.code).toBe(1);
    expect(out.lines[0]?.embedding).toHaveLength(768);
    expect(out.lines[1]).toMatchObject({ text: ' ', error: { code: 'EMPTY_INPUT' } });
  });
});

describe('sightline --help', () => {
  it.each([
    ['embed'],
    ['embed-text'],
    ['collection'],
    ['ingest'],
    ['search'],
    ['model-download'],
    ['model-generate'],
  ])('%s --help and -h print its usage on stdout and exit 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const { stdout, stderr } = await run(process.execPath, [BIN, command, flag], { env: env() });
      expect(stdout).toMatch(/^usage: /);
      expect(stdout).toContain(command.replace('model-', 'model:'));
      expect(stderr).toBe('');
    }
  });
});

describe('sightline collection, ingest and search', () => {
  it('refuses filters, deep pages and long names with the API\'s rules and codes', async () => {
    const noOperator = await sightline(['search', 'rules', '--filter', '{"must":[{"key":"sku"}]}']);
    expect(noOperator.code).toBe(1);
    expect(noOperator.stderr).toMatch(/INVALID_FILTER/);
    const deepPage = await sightline(['search', 'rules', '--offset', '100001']);
    expect(deepPage.code).toBe(1);
    expect(deepPage.stderr).toMatch(/BAD_USER_INPUT: offset must be an integer from 0 to 100000/);
    const extractor = JSON.stringify({ feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'img' } });
    const longName = await sightline(['collection', 'create', 'n'.repeat(64), '--extractor', extractor]);
    expect(longName.stderr).toMatch(/BAD_USER_INPUT: invalid collection name/);
  });

  it('creates a collection, ingests a JSONL file and finds an image by itself', async () => {
    const extractor = JSON.stringify({
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'img' },
      field_passthrough: [{ source_path: 'sku' }],
      parameters: {},
    });
    expect((await sightline(['collection', 'create', 'cli', '--extractor', extractor])).code).toBe(0);
    const a = (await fs.readFile(path.join(dir, 'a.jpg'))).toString('base64');
    const b = (await fs.readFile(path.join(dir, 'b.jpg'))).toString('base64');
    const jsonl = path.join(dir, 'objects.jsonl');
    await fs.writeFile(jsonl, [{ img: { base64: a }, sku: 'A' }, { img: { base64: b }, sku: 'B' }, { sku: 'C' }].map((o) => JSON.stringify(o)).join('\n'));

    const ingest = await sightline(['ingest', 'cli', jsonl]);
    expect(ingest.code).toBe(1); // the third object has no image
    expect(ingest.lines.map((l) => l.status)).toEqual(['stored', 'stored', 'failed']);
    expect(ingest.lines[2]).toMatchObject({ error: { code: 'MISSING_INPUT_FIELD' } });

    const list = await sightline(['collection', 'list']);
    expect(list.lines).toEqual([expect.objectContaining({ name: 'cli', document_count: 2 })]);

    const search = await sightline(['search', 'cli', '--image', path.join(dir, 'b.jpg'), '--limit', '1']);
    expect(search.code).toBe(0);
    expect(search.lines[0]).toMatchObject({ fields: expect.objectContaining({ sku: 'B' }) });
    expect(Number(search.lines[0]?.score)).toBeGreaterThan(0.999);

    const lookup = await sightline(['search', 'cli', '--filter', '{"must":[{"key":"sku","match":{"value":"A"}}]}']);
    expect(lookup.lines.map((l) => (l.fields as { sku: string }).sku)).toEqual(['A']);

    const badId = await sightline(['search', 'cli', '--document', 'not-a-document-id']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/INVALID_DOCUMENT_ID: "not-a-document-id" is not a document id/);

    expect((await sightline(['collection', 'delete', 'cli'])).code).toBe(0);
    expect((await sightline(['collection', 'list'])).lines).toEqual([]);
  });
});

describe('sightline ingest with local files', () => {
  it('reads absolute paths and paths relative to the JSONL file on this machine, with exact codes for the rest', async () => {
    const extractor = JSON.stringify({
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'product_image' },
      field_passthrough: [{ source_path: 'sku' }],
      parameters: {},
    });
    expect((await sightline(['collection', 'create', 'local-files', '--extractor', extractor])).code).toBe(0);
    const folder = path.join(dir, 'catalogue');
    await fs.mkdir(path.join(folder, 'img'), { recursive: true });
    await fs.copyFile(path.join(dir, 'b.jpg'), path.join(folder, 'img', 'b.jpg'));
    const b64 = (await fs.readFile(path.join(dir, 'a.jpg'))).toString('base64');
    const objects = [
      { product_image: path.join(dir, 'a.jpg'), sku: 'ABS' },
      { product_image: 'img/b.jpg', sku: 'REL' },
      { product_image: b64, sku: 'B64' },
      { product_image: 'img/missing.jpg', sku: 'MISSING' },
      { product_image: '', sku: 'EMPTY' },
    ];
    await fs.writeFile(path.join(folder, 'objects.jsonl'), objects.map((o) => JSON.stringify(o)).join('\n'));

    // Run from elsewhere: relative paths follow the JSONL file, not the current folder.
    const ingest = await sightline(['ingest', 'local-files', path.join(folder, 'objects.jsonl')], os.tmpdir());
    expect(ingest.code).toBe(1);
    expect(ingest.lines.map((l) => [l.status, (l.error as { code?: string } | undefined)?.code])).toEqual([
      ['stored', undefined],
      ['stored', undefined],
      ['stored', undefined],
      ['failed', 'SOURCE_NOT_FOUND'],
      ['failed', 'EMPTY_INPUT'],
    ]);
    expect(ingest.lines[4]?.error).toMatchObject({ message: expect.stringMatching(/^product_image: the image source is empty/) });

    // search --image takes the same forms: a path relative to the current folder finds its own document.
    const search = await sightline(['search', 'local-files', '--image', 'img/b.jpg', '--limit', '1'], folder);
    expect(search.lines[0]).toMatchObject({ fields: expect.objectContaining({ sku: 'REL', source: `file://${path.join(folder, 'img', 'b.jpg')}` }) });
    // The same picture was ingested twice (by path and as base64): both score 1.
    const byBase64 = await sightline(['search', 'local-files', '--image', b64, '--limit', '2']);
    expect(byBase64.lines.map((l) => (l.fields as { sku: string }).sku).sort()).toEqual(['ABS', 'B64']);
    expect(Number(byBase64.lines[1]?.score)).toBeGreaterThan(0.999);
    expect((await sightline(['collection', 'delete', 'local-files'])).code).toBe(0);
  });
});
