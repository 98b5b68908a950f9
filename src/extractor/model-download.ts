/**
 * Fetches a SigLIP model directory from a Hugging Face-style `resolve/main`
 * URL. Files land in `<dir>.partial/` (each as `<file>.part` until verified),
 * so an interrupted download resumes with a Range request, and the directory
 * appears under its real name only once every file is complete and verified:
 * a half-downloaded model can never be loaded.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, SightlineError } from '../errors.ts';
import { MODEL_JSON_FILES, onnxModelPath } from './model-files.ts';
import { type ModelVariant } from './features/index.ts';
import { fetchLogitsFromSafetensors, writeModelLogits } from './model-logits.ts';

export interface DownloadProgress {
  file: string;
  received: number;
  total: number | undefined;
  overallReceived: number;
  overallTotal: number | undefined;
}

export interface DownloadModelOptions {
  /** Where the files are, e.g. `https://huggingface.co/Xenova/siglip-base-patch16-224/resolve/main`. */
  baseUrl: string;
  /** The model directory to create (or replace, as a whole). */
  dir: string;
  variant: ModelVariant;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /**
   * Longest wait for response headers, and for each next chunk of a body.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Further attempts per file after a connection error, a timeout or a 5xx/429.
   * @default 4
   */
  retries?: number;
  /**
   * First backoff delay; it doubles per attempt, up to 30 s.
   * @default 1000
   */
  retryDelayMs?: number;
  /** The full model's safetensors, where logit_scale and logit_bias are read (model-logits.ts); none when absent. */
  logitsUrl?: string;
  /**
   * Whether to fetch the ONNX towers. Without them (inference on a remote
   * server, which holds the weights) only the tokenizer and preprocessor
   * files come: kilobytes instead of hundreds of megabytes.
   * @default true
   */
  weights?: boolean;
  /** Known sha256 (hex) per file path, checked in addition to what the server says. */
  expectedSha256?: Record<string, string>;
  fetchImpl?: typeof fetch;
}

const MAX_REDIRECTS = 5;

/** The files of a model directory, relative to it, small ones first; `weights: false` leaves the ONNX towers out. */
export function modelFilePaths(variant: ModelVariant, weights = true): string[] {
  return [...MODEL_JSON_FILES, ...(weights ? [onnxModelPath('vision', variant), onnxModelPath('text', variant)] : [])];
}

/** A failure worth another attempt: the same GET may well succeed later. */
class TransientError extends Error {}

interface RemoteFacts {
  /** From X-Linked-Size (Hugging Face, LFS files). */
  size?: number;
  /** From X-Linked-Etag, which Hugging Face sets to the sha256 of LFS files. */
  sha256?: string;
}

interface Job {
  file: string;
  url: string;
  part: string;
  final: string;
  opts: DownloadModelOptions;
  timeoutMs: number;
  /** Bytes of earlier files, for overall progress. */
  before: number;
  overallTotal: number | undefined;
}

function failure(file: string, message: string, details: Record<string, string | number> = {}, cause?: unknown) {
  return new SightlineError(ErrorCode.MODEL_DOWNLOAD_FAILED, `${file}: ${message}`, { file, ...details }, { cause });
}

function readFacts(headers: Headers, facts: RemoteFacts): void {
  const size = Number(headers.get('x-linked-size') ?? NaN);
  if (Number.isSafeInteger(size) && size >= 0) facts.size = size;
  const etag = headers.get('x-linked-etag')?.replace(/^W\//, '').replaceAll('"', '');
  if (etag && /^[0-9a-f]{64}$/i.test(etag)) facts.sha256 = etag.toLowerCase();
}

/**
 * Follows redirects by hand: Hugging Face sends the file's sha256 and size on
 * the redirect to its CDN, and the CDN's response does not repeat them.
 */
async function request(url: string, init: RequestInit, fetchImpl: typeof fetch): Promise<{ res: Response; facts: RemoteFacts }> {
  const facts: RemoteFacts = {};
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await fetchImpl(current, { ...init, redirect: 'manual' });
    readFacts(res.headers, facts);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { res, facts };
    await res.body?.cancel();
    current = new URL(location, current).toString();
  }
  throw new TransientError(`more than ${MAX_REDIRECTS} redirects`);
}

/** An AbortSignal that fires after `ms` of silence; `touch()` restarts the clock. */
function idleTimer(ms: number, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  const fire = () => controller.abort(new TransientError(`no data for ${ms} ms`));
  let timer = setTimeout(fire, ms);
  return {
    signal: outer ? AbortSignal.any([outer, controller.signal]) : controller.signal,
    touch: () => {
      clearTimeout(timer);
      timer = setTimeout(fire, ms);
    },
    stop: () => clearTimeout(timer),
  };
}

async function sizeOf(p: string): Promise<number | undefined> {
  try {
    return (await fs.stat(p)).size;
  } catch {
    return undefined;
  }
}

async function sha256Of(p: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The total in a 206's `Content-Range: bytes a-b/total` or a 416's `bytes *\/total`; null when a 206 starts elsewhere. */
function rangeTotal(res: Response, offset: number): number | undefined | null {
  const match = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
  if (res.status === 206 && (!match || Number(match[1]) !== offset)) return null;
  return match?.[2] === undefined || match[2] === '*' ? undefined : Number(match[2]);
}

function statusError(job: Job, status: number): Error {
  if (status === 429 || status >= 500) return new TransientError(`HTTP ${status}`);
  const what = status === 404 ? 'not found' : `refused (HTTP ${status})`;
  return failure(job.file, `${what} at ${job.url}`, { url: job.url, status });
}

/** Checks a complete `.part` against its size and sha256, then gives it its real name. */
async function verify(job: Job, total: number | undefined, facts: RemoteFacts): Promise<void> {
  const size = (await sizeOf(job.part)) ?? 0;
  const expectedSize = total ?? facts.size;
  const problems: string[] = [];
  if (expectedSize !== undefined && size !== expectedSize) problems.push(`size ${size} bytes, expected ${expectedSize}`);
  const expectedHashes = new Set(
    [job.opts.expectedSha256?.[job.file], facts.sha256].flatMap((h) => (h === undefined ? [] : [h.toLowerCase()])),
  );
  if (problems.length === 0 && expectedHashes.size > 0) {
    const actual = await sha256Of(job.part);
    for (const expected of expectedHashes) if (actual !== expected) problems.push(`sha256 ${actual}, expected ${expected}`);
  }
  if (problems.length > 0) {
    await fs.rm(job.part, { force: true });
    throw failure(job.file, `corrupt download (${problems.join('; ')}); deleted it, run the download again`);
  }
  await fs.rename(job.part, job.final);
}

/** One GET: resumes from the bytes already in `.part`, streams the rest, verifies. */
async function attempt(job: Job): Promise<number> {
  const fetchImpl = job.opts.fetchImpl ?? fetch;
  let offset = (await sizeOf(job.part)) ?? 0;
  const timer = idleTimer(job.timeoutMs, job.opts.signal);
  try {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const { res, facts } = await request(job.url, { headers, signal: timer.signal }, fetchImpl);
    timer.touch();
    // 416: nothing lies past our bytes. Either the file was complete before a crash, or it is stale.
    if (res.status === 416 && offset > 0) {
      await res.body?.cancel();
      if ((facts.size ?? rangeTotal(res, offset)) === offset) {
        await verify(job, offset, facts);
        return offset;
      }
      await fs.rm(job.part, { force: true });
      throw new TransientError('stale partial file');
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw statusError(job, res.status);
    }
    // A 200 to a Range request means the server ignores ranges: start this file over.
    if (res.status === 200) offset = 0;
    const length = Number(res.headers.get('content-length') ?? NaN);
    const total = res.status === 206 ? rangeTotal(res, offset) : Number.isSafeInteger(length) ? length : undefined;
    if (total === null) {
      await res.body?.cancel();
      await fs.rm(job.part, { force: true });
      throw new TransientError('server answered a different range');
    }
    const handle = await fs.open(job.part, offset > 0 ? 'a' : 'w');
    let received = offset;
    try {
      for await (const chunk of res.body ?? []) {
        timer.touch();
        await handle.write(chunk as Uint8Array);
        received += (chunk as Uint8Array).byteLength;
        job.opts.onProgress?.({
          file: job.file,
          received,
          total: total ?? facts.size,
          overallReceived: job.before + received,
          overallTotal: job.overallTotal,
        });
      }
    } finally {
      await handle.close();
    }
    await verify(job, total, facts);
    return received;
  } finally {
    timer.stop();
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

function cancelled(job: Job, cause: unknown): SightlineError {
  return failure(job.file, 'download cancelled; run it again to resume', {}, cause);
}

/**
 * fetch reports network failures as a TypeError whose cause carries the
 * system error. A name that DNS says does not exist will not exist a few
 * seconds later: retrying it only hides the cause (usually: this machine is
 * offline), so it ends the download at once, saying so.
 */
function unresolvableHost(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; hostname?: unknown } } | null)?.cause;
  if (cause?.code !== 'ENOTFOUND') return undefined;
  return typeof cause.hostname === 'string' ? cause.hostname : 'the host';
}

async function fetchFile(job: Job): Promise<number> {
  const retries = job.opts.retries ?? 4;
  const baseDelay = job.opts.retryDelayMs ?? 1000;
  for (let n = 0; ; n++) {
    try {
      return await attempt(job);
    } catch (err) {
      if (job.opts.signal?.aborted) throw cancelled(job, err);
      if (err instanceof SightlineError) throw err;
      const host = unresolvableHost(err);
      if (host !== undefined) {
        const reason = `cannot resolve host ${host} (DNS: ENOTFOUND): this machine is offline or the name is wrong`;
        throw failure(job.file, reason, { url: job.url, host }, err);
      }
      // fetch reports network failures (refused, reset, cut mid-body) as TypeError; disk errors are not retried.
      if (!(err instanceof TransientError || err instanceof TypeError)) throw failure(job.file, String(err), {}, err);
      if (n >= retries) {
        const reason = err instanceof Error ? err.message : String(err);
        throw failure(job.file, `${reason} (gave up after ${n + 1} attempts) fetching ${job.url}`, { url: job.url }, err);
      }
      await sleep(Math.min(baseDelay * 2 ** n, 30_000), job.opts.signal).catch((e: unknown) => {
        throw cancelled(job, e);
      });
    }
  }
}

/** Sizes announced by the server, for overall progress; undefined when any is unknown. */
async function announcedTotal(
  baseUrl: string,
  opts: DownloadModelOptions, files: string[], timeoutMs: number): Promise<number | undefined> {
  const sizes = await Promise.all(
    files.map(async (file) => {
      const timer = idleTimer(timeoutMs, opts.signal);
      try {
        const { res, facts } = await request(`${baseUrl}/${file}`, { method: 'HEAD', signal: timer.signal }, opts.fetchImpl ?? fetch);
        const length = Number(res.headers.get('content-length') ?? NaN);
        return res.ok ? (facts.size ?? (Number.isSafeInteger(length) ? length : undefined)) : undefined;
      } catch {
        return undefined;
      } finally {
        timer.stop();
      }
    }),
  );
  return sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
}

/** Drops staged files of another variant, so only this model's files move into place. */
async function pruneStaging(staging: string, files: string[]): Promise<void> {
  const keep = new Set(files.flatMap((f) => [f, `${f}.part`]));
  for (const sub of ['', 'onnx']) {
    const entries = await fs.readdir(path.join(staging, sub), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isFile() && !keep.has(rel)) await fs.rm(path.join(staging, rel), { force: true });
    }
  }
}

/** Moves the complete staging folder into place; an existing model is swapped out whole, never merged. */
async function publish(staging: string, dir: string): Promise<void> {
  const old = `${dir}.replaced`;
  await fs.rm(old, { recursive: true, force: true });
  const hadOld = (await sizeOf(dir)) !== undefined;
  if (hadOld) await fs.rename(dir, old);
  try {
    await fs.rename(staging, dir);
  } catch (err) {
    if (hadOld) await fs.rename(old, dir);
    throw err;
  }
  await fs.rm(old, { recursive: true, force: true });
}

export async function downloadModel(opts: DownloadModelOptions): Promise<void> {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const dir = path.resolve(opts.dir);
  const staging = `${dir}.partial`;
  const files = modelFilePaths(opts.variant, opts.weights ?? true);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  await fs.mkdir(path.join(staging, 'onnx'), { recursive: true });
  await pruneStaging(staging, files);
  const overallTotal = await announcedTotal(baseUrl, opts, files, timeoutMs);
  let before = 0;
  for (const file of files) {
    const final = path.join(staging, file);
    const done = await sizeOf(final);
    const job = { file, url: `${baseUrl}/${file}`, part: `${final}.part`, final, opts, timeoutMs, before, overallTotal };
    before += done ?? (await fetchFile(job));
  }
  if (opts.logitsUrl !== undefined) {
    const logits = await fetchLogitsFromSafetensors(opts.logitsUrl, { timeoutMs, signal: opts.signal, fetchImpl: opts.fetchImpl });
    await writeModelLogits(staging, { ...logits, source: opts.logitsUrl });
  }
  await publish(staging, dir);
}
