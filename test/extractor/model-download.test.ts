import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { type DownloadProgress, downloadModel, modelFilePaths } from '../../src/extractor/model-download.ts';
import { readModelLogits } from '../../src/extractor/model-logits.ts';
import { safetensors } from '../fixtures/safetensors.ts';

/** Behaviour of the fake hub, changed by each test. */
interface Hub {
  files: Map<string, Buffer>;
  requests: Array<{ method: string; path: string; range: string | undefined }>;
  /** Paths whose next GET is cut off after half the body. */
  dropOnce: Set<string>;
  /** Paths whose next GET answers 503. */
  failOnce: Set<string>;
  ignoreRange: boolean;
  /** sha256 announced for LFS files, overriding the true one. */
  announcedSha: Map<string, string>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const isLfs = (p: string) => p.endsWith('.onnx');

function serveBody(hub: Hub, req: http.IncomingMessage, res: http.ServerResponse, file: string, body: Buffer) {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const start = range && !hub.ignoreRange ? Number(range[1]) : 0;
  const end = range?.[2] && !hub.ignoreRange ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
  if (start >= body.length && start > 0) return res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
  const partial = start > 0 || end < body.length - 1;
  const headers: http.OutgoingHttpHeaders = { 'content-length': end + 1 - start, 'accept-ranges': 'bytes' };
  if (partial) headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
  res.writeHead(partial ? 206 : 200, headers);
  if (req.method === 'HEAD') return res.end();
  if (hub.dropOnce.delete(file)) {
    const half = body.subarray(start, start + Math.floor((end + 1 - start) / 2));
    return res.write(half, () => setImmediate(() => res.socket?.destroy()));
  }
  res.end(body.subarray(start, end + 1));
}

/** Like huggingface.co: LFS files redirect to a CDN, announcing their sha256 and size on the redirect. */
function handle(hub: Hub, req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  hub.requests.push({ method: req.method ?? '', path: url.pathname, range: req.headers.range });
  const cdn = url.pathname.startsWith('/cdn/');
  const file = url.pathname.replace(/^\/(cdn|repo\/resolve\/main)\//, '');
  const body = hub.files.get(file);
  if (!body) return res.writeHead(404).end('Entry not found');
  if (req.method === 'GET' && hub.failOnce.delete(file)) return res.writeHead(503).end('busy');
  if (isLfs(file) && !cdn) {
    return res
      .writeHead(302, {
        location: `/cdn/${file}`,
        'x-linked-etag': `"${hub.announcedSha.get(file) ?? sha256(body)}"`,
        'x-linked-size': String(body.length),
      })
      .end();
  }
  serveBody(hub, req, res, file, body);
}

let hub: Hub;
let server: http.Server;
let baseUrl: string;
let root: string;
let dir: string;

function fakeModel(variant: 'fp32' | 'quantized' = 'fp32'): Map<string, Buffer> {
  return new Map(
    modelFilePaths(variant).map((f) => [f, f.endsWith('.onnx') ? randomBytes(300_000) : Buffer.from(`{"file":"${f}"}`)]),
  );
}

beforeEach(async () => {
  hub = { files: fakeModel(), requests: [], dropOnce: new Set(), failOnce: new Set(), ignoreRange: false, announcedSha: new Map() };
  server = http.createServer((req, res) => handle(hub, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo/resolve/main`;
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-download-'));
  dir = path.join(root, 'models', 'siglip');
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fs.rm(root, { recursive: true, force: true });
});

const download = (extra: Partial<Parameters<typeof downloadModel>[0]> = {}) =>
  downloadModel({ baseUrl, dir, variant: 'fp32', timeoutMs: 5_000, retryDelayMs: 0, ...extra });

async function expectModel(files = hub.files) {
  for (const [file, body] of files) expect((await fs.readFile(path.join(dir, file))).equals(body), file).toBe(true);
  expect(existsSync(`${dir}.partial`)).toBe(false);
}

async function failure(promise: Promise<unknown>): Promise<SightlineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SightlineError);
  expect((err as SightlineError).code).toBe(ErrorCode.MODEL_DOWNLOAD_FAILED);
  return err as SightlineError;
}

describe('downloadModel', () => {
  it('downloads every file of the variant, following redirects, and reports overall progress', async () => {
    const progress: DownloadProgress[] = [];
    await download({ onProgress: (p) => progress.push(p) });
    await expectModel();
    const total = [...hub.files.values()].reduce((n, b) => n + b.length, 0);
    expect(progress.at(-1)).toMatchObject({ file: 'onnx/text_model.onnx', overallReceived: total, overallTotal: total });
    expect(progress.every((p) => p.overallTotal === total && p.received <= (p.total ?? 0))).toBe(true);
    expect(hub.requests.some((r) => r.path.startsWith('/cdn/'))).toBe(true);
  });

  it('fetches only the tokenizer and preprocessor files with weights: false (inference on a remote server)', async () => {
    await download({ weights: false });
    const small = new Map([...hub.files].filter(([file]) => !file.endsWith('.onnx')));
    await expectModel(small);
    expect(existsSync(path.join(dir, 'onnx/vision_model.onnx'))).toBe(false);
    expect(hub.requests.some((r) => r.path.includes('.onnx'))).toBe(false);
  });

  it('fetches the files named for the variant', async () => {
    hub.files = fakeModel('quantized');
    await download({ variant: 'quantized' });
    await expectModel();
    expect(existsSync(path.join(dir, 'onnx/vision_model_quantized.onnx'))).toBe(true);
  });

  it('resumes an interrupted file with a Range request on the next run', async () => {
    hub.dropOnce.add('onnx/vision_model.onnx');
    await failure(download({ retries: 0 }));
    expect(existsSync(dir)).toBe(false);
    const partial = await fs.stat(`${dir}.partial/onnx/vision_model.onnx.part`);
    expect(partial.size).toBeGreaterThan(0);

    hub.requests = [];
    await download();
    await expectModel();
    const gets = hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('vision_model.onnx'));
    expect(gets.map((r) => r.range)).toContain(`bytes=${partial.size}-`);
    // Files finished before the interruption are not fetched again.
    expect(hub.requests.some((r) => r.method === 'GET' && r.path.endsWith('config.json'))).toBe(false);
  });

  it('resumes within one run after a dropped connection or a 503', async () => {
    hub.dropOnce.add('onnx/text_model.onnx');
    hub.failOnce.add('tokenizer.json');
    await download();
    await expectModel();
    expect(hub.requests.some((r) => r.range !== undefined && r.path.endsWith('text_model.onnx'))).toBe(true);
  });

  it('starts a file over when the server ignores Range', async () => {
    hub.dropOnce.add('onnx/vision_model.onnx');
    await failure(download({ retries: 0 }));
    hub.ignoreRange = true;
    await download();
    await expectModel();
  });

  it('finishes a file that was complete when the last run stopped (the server answers 416)', async () => {
    const body = hub.files.get('config.json') as Buffer;
    await fs.mkdir(`${dir}.partial`, { recursive: true });
    await fs.writeFile(`${dir}.partial/config.json.part`, body);
    await download();
    await expectModel();
    expect(hub.requests.find((r) => r.method === 'GET' && r.path.endsWith('/config.json'))?.range).toBe(`bytes=${body.length}-`);
  });

  it('deletes a file whose sha256 differs from the announced one and names it', async () => {
    hub.announcedSha.set('onnx/text_model.onnx', 'ab'.repeat(32));
    const err = await failure(download());
    expect(err.message).toMatch(/^onnx\/text_model\.onnx: corrupt download \(sha256 [0-9a-f]{64}, expected (ab){32}\)/);
    expect(err.details.file).toBe('onnx/text_model.onnx');
    expect(existsSync(`${dir}.partial/onnx/text_model.onnx.part`)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('checks a caller-supplied sha256 as well', async () => {
    const err = await failure(download({ expectedSha256: { 'config.json': '00'.repeat(32) } }));
    expect(err.details.file).toBe('config.json');
    expect(existsSync(dir)).toBe(false);
  });

  it('fails clearly on a missing file, without retrying, and creates no model directory', async () => {
    hub.files.delete('preprocessor_config.json');
    const err = await failure(download());
    expect(err.message).toBe(`preprocessor_config.json: not found at ${baseUrl}/preprocessor_config.json`);
    expect(err.details.status).toBe(404);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('preprocessor_config.json'))).toHaveLength(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('says a host that DNS cannot resolve cannot be resolved, at once, instead of retrying and hiding why', async () => {
    let gets = 0;
    const counting: typeof fetch = (input, init) => {
      if ((init?.method ?? 'GET') === 'GET') gets++;
      return fetch(input, init);
    };
    // .invalid never resolves (RFC 6761), online or off.
    const err = await failure(download({ baseUrl: 'http://sightline-test.invalid/repo/resolve/main', fetchImpl: counting, retries: 4 }));
    expect(err.message).toMatch(/^config\.json: cannot resolve host sightline-test\.invalid \(DNS: ENOTFOUND\)/);
    expect(err.details.host).toBe('sightline-test.invalid');
    expect(gets).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('replaces an existing model whole, and leaves it untouched when a download fails', async () => {
    await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
    await fs.writeFile(path.join(dir, 'config.json'), 'old');
    await fs.writeFile(path.join(dir, 'stale.txt'), 'old');

    hub.failOnce.add('onnx/text_model.onnx');
    await failure(download({ retries: 0 }));
    expect(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).toBe('old');

    await download();
    await expectModel();
    expect(existsSync(path.join(dir, 'stale.txt'))).toBe(false);
  });

  it("records the full model's logit_scale and logit_bias beside the towers, fetching only the safetensors header and the two scalars", async () => {
    const towers = new Map(hub.files);
    const weights = new Float32Array(250_000).fill(0.25);
    hub.files.set('full/model.safetensors', safetensors({ weights, logit_scale: Float32Array.of(4.75), logit_bias: Float32Array.of(-16.5) }));

    await download({ logitsUrl: `${baseUrl}/full/model.safetensors` });

    await expectModel(towers);
    expect(await readModelLogits(dir)).toEqual({ logit_scale: 4.75, logit_bias: -16.5 });
    const reads = hub.requests.filter((r) => r.path.endsWith('/model.safetensors'));
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(r.range, 'every read of the full model is a Range request').toMatch(/^bytes=\d+-\d+$/);
  });

  it('publishes no model when the full model has no logit scalars, so a model is never half-recorded', async () => {
    hub.files.set('full/model.safetensors', safetensors({ weights: new Float32Array(1_000) }));
    await failure(download({ logitsUrl: `${baseUrl}/full/model.safetensors` }));
    expect(existsSync(dir)).toBe(false);
  });

  it('stops when cancelled, keeping what it has for a later resume', async () => {
    const controller = new AbortController();
    const err = await failure(
      download({ signal: controller.signal, onProgress: (p) => p.file.endsWith('.onnx') && controller.abort() }),
    );
    expect(err.message).toMatch(/cancelled/);
    expect(existsSync(dir)).toBe(false);
    await download();
    await expectModel();
  });
});
