import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { modelsDirWith, tinyModelDir } from '../fixtures/models.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';
import { featureByName } from '../../src/extractor/features/index.ts';

const BIN = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));
const DOWNLOAD = fileURLToPath(new URL('../../src/cli/model-download-command.ts', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  code: number;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

let dir: string;
const env = (dataDir = path.join(dir, 'data')) => ({ ...process.env, MODEL_DIR: tinyModelDir(), DATA_DIR: dataDir, INFERENCE_THREADS: '1', LOG_LEVEL: 'warn' });

/** Runs the CLI; `dataDir` gives a test its own collections, so tests run alone and in any order. */
async function sightline(args: string[], opts: { cwd?: string; dataDir?: string; env?: Record<string, string> } = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...env(opts.dataDir), ...opts.env },
      cwd: opts.cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, lines: parse(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, lines: parse(e.stdout), stderr: e.stderr };
  }
}

/** The lines the CLI itself writes to stderr (a dependency's runtime warning is not one of them). */
const ownLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('sightline: '));

/** A failed command's exit status and the code of the one `sightline: CODE: message` line it printed. */
function refusal(out: Outcome): { exit: number; code: string; message: string } {
  const lines = ownLines(out.stderr);
  expect(lines).toHaveLength(1);
  const [, code = '', message = ''] = /^sightline: ([A-Z_]+): (.*)$/.exec(lines[0] ?? '') ?? [];
  return { exit: out.code, code, message };
}

const freshDataDir = () => fs.mkdtemp(path.join(dir, 'data-'));

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
    const out = await sightline(['embed', 'a.jpg', b64], { cwd: dir });
    expect(out.code).toBe(0);
    expect(out.lines.map((l) => (l.embedding as number[]).length)).toEqual([768, 768]);
  });

  it.each([
    [['embed'], 'sightline: no INPUT given'],
    [['embed', '--batch-size', 'zero', 'x.jpg'], 'sightline: --batch-size must be a positive integer, got "zero"'],
    [['frobnicate'], 'sightline: unknown command "frobnicate"'],
  ])('exits 2 on a usage error (%j), saying what is wrong and printing nothing on stdout', async (args, said) => {
    const out = await sightline(args);
    expect([out.code, ownLines(out.stderr)]).toEqual([2, [said]]);
    expect(out.lines).toEqual([]);
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

describe('the second model from the command line', () => {
  it('embeds a text with --model google_siglip_large_v1 from its folder in MODELS_DIR, 1024 wide', async () => {
    const MODELS_DIR = modelsDirWith(dir, featureByName('google_siglip_large_v1')!);
    const out = await sightline(['embed-text', '--model', 'google_siglip_large_v1', 'a blue mug'], { env: { MODELS_DIR } });
    expect(out.code).toBe(0);
    expect(out.lines[0]?.embedding).toHaveLength(1024);
  });

  it('refuses a model it does not offer, naming the ones it does (exit 2)', async () => {
    const out = await sightline(['embed-text', '--model', 'google_siglip_huge_v9', 'a blue mug']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--model must be one of google_siglip_base_v1, google_siglip_large_v1');
  });

  it("model:download --model finds that model's own folder in MODELS_DIR (and leaves a model already there alone)", async () => {
    const MODELS_DIR = modelsDirWith(dir, featureByName('google_siglip_large_v1')!);
    const { stderr } = await run(process.execPath, ['--import', 'tsx', DOWNLOAD, '--model', 'google_siglip_large_v1'], {
      env: { ...env(), MODELS_DIR },
    });
    expect(stderr).toContain(`A model is already in ${path.join(MODELS_DIR, 'siglip-large-patch16-256')}`);
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
  it('refuses filters, deep pages, long names and unknown collections with the API\'s rules and codes, exiting 1', async () => {
    const dataDir = await freshDataDir();
    const noOperator = refusal(await sightline(['search', 'rules', '--filter', '{"must":[{"key":"sku"}]}'], { dataDir }));
    expect(noOperator).toMatchObject({ exit: 1, code: 'INVALID_FILTER', message: expect.stringContaining('give exactly one of match or range') });
    const deepPage = refusal(await sightline(['search', 'rules', '--offset', '100001'], { dataDir }));
    expect(deepPage).toMatchObject({ exit: 1, code: 'BAD_USER_INPUT', message: expect.stringMatching(/^offset must be an integer from 0 to 100000/) });
    const extractor = JSON.stringify({ feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'img' } });
    const longName = refusal(await sightline(['collection', 'create', 'n'.repeat(64), '--extractor', extractor], { dataDir }));
    expect(longName).toMatchObject({ exit: 1, code: 'BAD_USER_INPUT', message: expect.stringMatching(/^invalid collection name/) });
    const badExtractor = refusal(await sightline(['collection', 'create', 'rules', '--extractor', '{"input_mappings":{"image":""}}'], { dataDir }));
    expect(badExtractor).toMatchObject({ exit: 1, code: 'INVALID_EXTRACTOR_CONFIG' });
    const missing = refusal(await sightline(['search', 'rules', '--text', 'shoe'], { dataDir }));
    expect(missing).toMatchObject({ exit: 1, code: 'COLLECTION_NOT_FOUND' });
  });

  it('creates a collection, ingests a JSONL file and finds an image by itself', async () => {
    const dataDir = await freshDataDir();
    const extractor = JSON.stringify({
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'img' },
      field_passthrough: [{ source_path: 'sku' }],
      parameters: {},
    });
    expect((await sightline(['collection', 'create', 'cli', '--extractor', extractor], { dataDir })).code).toBe(0);
    const a = (await fs.readFile(path.join(dir, 'a.jpg'))).toString('base64');
    const b = (await fs.readFile(path.join(dir, 'b.jpg'))).toString('base64');
    const jsonl = path.join(dir, 'objects.jsonl');
    await fs.writeFile(jsonl, [{ img: { base64: a }, sku: 'A' }, { img: { base64: b }, sku: 'B' }, { sku: 'C' }].map((o) => JSON.stringify(o)).join('\n'));

    const ingest = await sightline(['ingest', 'cli', jsonl], { dataDir });
    expect(ingest.code).toBe(1); // the third object has no image
    expect(ingest.lines.map((l) => l.status)).toEqual(['stored', 'stored', 'failed']);
    expect(ingest.lines[2]).toMatchObject({ error: { code: 'MISSING_INPUT_FIELD' } });

    const list = await sightline(['collection', 'list'], { dataDir });
    expect(list.lines).toEqual([expect.objectContaining({ name: 'cli', document_count: 2 })]);

    const search = await sightline(['search', 'cli', '--image', path.join(dir, 'b.jpg'), '--limit', '1'], { dataDir });
    expect(search.code).toBe(0);
    expect(search.lines[0]).toMatchObject({ fields: expect.objectContaining({ sku: 'B' }) });
    expect(Number(search.lines[0]?.score)).toBeGreaterThan(0.999);

    const lookup = await sightline(['search', 'cli', '--filter', '{"must":[{"key":"sku","match":{"value":"A"}}]}'], { dataDir });
    expect(lookup.lines.map((l) => (l.fields as { sku: string }).sku)).toEqual(['A']);

    const badId = refusal(await sightline(['search', 'cli', '--document', 'not-a-document-id'], { dataDir }));
    expect(badId).toMatchObject({ exit: 1, code: 'INVALID_DOCUMENT_ID', message: expect.stringMatching(/^"not-a-document-id" is not a document id/) });
    const unknownId = refusal(await sightline(['search', 'cli', '--document', '00000000-0000-4000-8000-000000000000'], { dataDir }));
    expect(unknownId).toMatchObject({ exit: 1, code: 'DOCUMENT_NOT_FOUND' });

    expect((await sightline(['collection', 'delete', 'cli'], { dataDir })).code).toBe(0);
    expect((await sightline(['collection', 'list'], { dataDir })).lines).toEqual([]);
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
    const dataDir = await freshDataDir();
    expect((await sightline(['collection', 'create', 'local-files', '--extractor', extractor], { dataDir })).code).toBe(0);
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
    const ingest = await sightline(['ingest', 'local-files', path.join(folder, 'objects.jsonl')], { cwd: os.tmpdir(), dataDir });
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
    const search = await sightline(['search', 'local-files', '--image', 'img/b.jpg', '--limit', '1'], { cwd: folder, dataDir });
    expect(search.lines[0]).toMatchObject({ fields: expect.objectContaining({ sku: 'REL', source: `file://${path.join(folder, 'img', 'b.jpg')}` }) });
    // The same picture was ingested twice (by path and as base64): both score 1.
    const byBase64 = await sightline(['search', 'local-files', '--image', b64, '--limit', '2'], { dataDir });
    expect(byBase64.lines.map((l) => (l.fields as { sku: string }).sku).sort()).toEqual(['ABS', 'B64']);
    expect(Number(byBase64.lines[1]?.score)).toBeGreaterThan(0.999);
    expect((await sightline(['collection', 'delete', 'local-files'], { dataDir })).code).toBe(0);
  });
});
