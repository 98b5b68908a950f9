/**
 * SigLIP's two calibration scalars, `logit_scale` and `logit_bias`. SigLIP was
 * trained with a sigmoid loss, so for a text and an image
 * sigmoid(exp(logit_scale) · cos + logit_bias) is the model's own probability
 * that they match (Hugging Face's SiglipModel computes logits_per_text as
 * cos · logit_scale.exp() + logit_bias). They are weights of the full model,
 * not of the separate tower exports, so they are recorded in the model
 * directory (siglip_logits.json): fetched at download from the published full
 * model's safetensors header, written by the generator for test models.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, SightlineError } from '../errors.ts';

export const LOGITS_FILE = 'siglip_logits.json';

/** The raw parameters, as the checkpoint stores them (the scale before exp). */
export interface SiglipLogits {
  logit_scale: number;
  logit_bias: number;
}

const logitsSchema = z.object({ logit_scale: z.number().finite(), logit_bias: z.number().finite() });

/** The model's probability that a text and an image with this cosine match. */
export function matchProbability(cosine: number, logits: SiglipLogits): number {
  return 1 / (1 + Math.exp(-(Math.exp(logits.logit_scale) * cosine + logits.logit_bias)));
}

/** The cosine at which the probability reaches p (the inverse of matchProbability), for a store threshold. */
export function cosineForProbability(p: number, logits: SiglipLogits): number {
  return (Math.log(p / (1 - p)) - logits.logit_bias) / Math.exp(logits.logit_scale);
}

/** The recorded scalars, or null for a directory made before they were recorded. MODEL_INVALID when malformed. */
export async function readModelLogits(dir: string): Promise<SiglipLogits | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, LOGITS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = logitsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new SightlineError(ErrorCode.MODEL_INVALID, `${LOGITS_FILE} needs numbers logit_scale and logit_bias`, { file: LOGITS_FILE });
  }
  return parsed.data;
}

export async function writeModelLogits(dir: string, logits: SiglipLogits & { source?: string }): Promise<void> {
  await fs.writeFile(path.join(dir, LOGITS_FILE), `${JSON.stringify(logits, null, 2)}\n`);
}

/** Enough for SigLIP's safetensors header (a few hundred tensor entries) in the first request. */
const HEADER_PROBE_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

const tensorEntry = z.object({ dtype: z.literal('F32'), shape: z.array(z.number()), data_offsets: z.tuple([z.number(), z.number()]) });

export interface FetchLogitsOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

/**
 * Reads the two scalars out of a published safetensors file with HTTP Range
 * requests: the 8-byte header length and the JSON header (one request while
 * it fits in 64 KiB), then the 8 bytes of values its offsets point at. The
 * 800 MB file itself is never downloaded.
 */
export async function fetchLogitsFromSafetensors(url: string, opts: FetchLogitsOptions): Promise<SiglipLogits> {
  const range = (start: number, end: number) => fetchRange(url, start, end, opts);
  let head = await range(0, HEADER_PROBE_BYTES - 1);
  if (head.length < 8) throw failed(url, 'the file is shorter than a safetensors header');
  const headerLength = Number(head.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER_BYTES) throw failed(url, `a ${headerLength}-byte header is not a safetensors header`);
  if (head.length < 8 + headerLength) head = Buffer.concat([head, await range(head.length, 8 + headerLength - 1)]);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(head.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw failed(url, 'the safetensors header is not JSON');
  }
  const offsets = (name: keyof SiglipLogits) => {
    const entry = tensorEntry.safeParse(header[name]);
    if (!entry.success || entry.data.data_offsets[1] - entry.data.data_offsets[0] !== 4) {
      throw failed(url, `the file has no single float32 "${name}" tensor (is it a full SigLIP model?)`);
    }
    return entry.data.data_offsets;
  };
  const [scale, bias] = [offsets('logit_scale'), offsets('logit_bias')];
  const from = Math.min(scale[0], bias[0]);
  const to = Math.max(scale[1], bias[1]);
  if (to - from > 1024) throw failed(url, 'logit_scale and logit_bias are not stored together');
  const data = await range(8 + headerLength + from, 8 + headerLength + to - 1);
  return { logit_scale: data.readFloatLE(scale[0] - from), logit_bias: data.readFloatLE(bias[0] - from) };
}

function failed(url: string, reason: string): SightlineError {
  return new SightlineError(ErrorCode.MODEL_DOWNLOAD_FAILED, `SigLIP logit_scale/logit_bias from ${url}: ${reason}`, { url });
}

async function fetchRange(url: string, start: number, end: number, opts: FetchLogitsOptions): Promise<Buffer> {
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(url, { headers: { range: `bytes=${start}-${end}` }, signal, redirect: 'follow' });
  } catch (err) {
    throw failed(url, `request failed (${(err as Error).message})`);
  }
  if (res.status !== 206) {
    // A 200 would be the whole file: never read it.
    await res.body?.cancel();
    throw failed(url, `expected 206 Partial Content for a Range request, got ${res.status}`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  // A server may send less than asked at the end of the file, never more.
  if (bytes.length > end - start + 1) throw failed(url, 'the server sent more than the range asked for');
  return bytes;
}
