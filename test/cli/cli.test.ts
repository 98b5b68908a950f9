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

async function sightline(args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: env(), maxBuffer: 64 * 1024 * 1024 });
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
    expect(out.lines[2]?.error).toMatchObject({ code: expect.any(String) });
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
});

describe('sightline collection, ingest and search', () => {
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

    const list = await sightline(['collection', 'list']);
    expect(list.lines).toEqual([expect.objectContaining({ name: 'cli', document_count: 2 })]);

    const search = await sightline(['search', 'cli', '--image', path.join(dir, 'b.jpg'), '--limit', '1']);
    expect(search.code).toBe(0);
    expect(search.lines[0]).toMatchObject({ fields: expect.objectContaining({ sku: 'B' }) });
    expect(Number(search.lines[0]?.score)).toBeGreaterThan(0.999);

    const lookup = await sightline(['search', 'cli', '--filter', '{"must":[{"key":"sku","match":{"value":"A"}}]}']);
    expect(lookup.lines.map((l) => (l.fields as { sku: string }).sku)).toEqual(['A']);

    expect((await sightline(['collection', 'delete', 'cli'])).code).toBe(0);
    expect((await sightline(['collection', 'list'])).lines).toEqual([]);
  });
});
