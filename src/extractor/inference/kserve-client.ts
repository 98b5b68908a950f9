/**
 * An HTTP client for the KServe v2 inference protocol (Triton, KServe,
 * `sightline inference-server`). Every call has a deadline that covers its
 * queueing and all of its attempts; every call here is idempotent (health,
 * metadata, and inference, which computes the same tensor each time), so a
 * transient failure (connection refused or reset, 502, 503, 504) is retried
 * with jittered exponential backoff, a bounded number of times. Inference
 * calls are back-pressured: at most `maxInFlight` on the wire and `maxQueued`
 * waiting, beyond which a call fails at once with INFERENCE_QUEUE_FULL
 * instead of holding its tensor in memory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ErrorCode, SightlineError } from '../../errors.ts';
import {
  HEADER_LENGTH,
  WireError,
  encodeBinaryBody,
  parseWith,
  readTensor,
  responseSchema,
  splitBody,
  tensorSchema,
  type WireTensor,
} from './kserve-wire.ts';

export interface KserveClientOptions {
  /** The server's base URL, e.g. http://gpu-host:8000 (Triton's HTTP port). */
  url: string;
  /** Deadline of one call, queueing and retries included. */
  timeoutMs: number;
  /** Further attempts after a transient failure. */
  retries: number;
  maxInFlight: number;
  maxQueued: number;
  /**
   * First backoff; each retry doubles it (with full jitter).
   * @default 100
   */
  retryBaseMs?: number;
  /**
   * A response larger than this is refused rather than buffered.
   * @default 64 MiB
   */
  maxResponseBytes?: number;
}

export interface ModelMetadata {
  name: string;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
}

export interface KserveClient {
  /** GET v2/health/ready: true on 200 (Triton answers with an empty body, so only the status counts). */
  serverReady(signal?: AbortSignal): Promise<boolean>;
  /** GET v2/models/<name>/ready. */
  modelReady(model: string, signal?: AbortSignal): Promise<boolean>;
  /** GET v2/models/<name>. */
  modelMetadata(model: string, signal?: AbortSignal): Promise<ModelMetadata>;
  /** POST v2/models/<name>/infer: inputs and requested outputs as binary tensors. */
  infer(model: string, inputs: WireTensor[], outputs: string[], signal?: AbortSignal): Promise<WireTensor[]>;
}

const metadataSchema = z.object({
  name: z.string(),
  inputs: z.array(tensorSchema.pick({ name: true, datatype: true, shape: true }).extend({ shape: z.array(z.number().int()) })),
  outputs: z.array(tensorSchema.pick({ name: true, datatype: true, shape: true }).extend({ shape: z.array(z.number().int()) })),
});
const errorSchema = z.object({ error: z.string() });

/** What one attempt ended with, before retries decide: an answer to hand back (any status but a transient one), or a failure. */
type Attempt = { answered: true; status: number; headers: Headers; body: Uint8Array } | { answered: false; transient: boolean; error: SightlineError };

const TRANSIENT_STATUS = new Set([502, 503, 504]);
const MAX_BACKOFF_MS = 2_000;

/** A slot limiter whose queue is bounded; a waiter gives up its place when its deadline passes. */
function createSlots(maxInFlight: number, maxQueued: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async acquire(signal: AbortSignal): Promise<() => void> {
      const release = () => {
        const next = waiting.shift();
        if (next) next();
        else active--;
      };
      if (active < maxInFlight) {
        active++;
        return release;
      }
      if (waiting.length >= maxQueued) {
        throw new SightlineError(
          ErrorCode.INFERENCE_QUEUE_FULL,
          `${maxInFlight} inference requests are in flight and ${maxQueued} wait already; retry later, or raise INFERENCE_MAX_QUEUED`,
          { maxInFlight, maxQueued },
        );
      }
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          waiting.splice(waiting.indexOf(turn), 1);
          reject(signal.reason);
        };
        waiting.push(turn);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      return release;
    },
  };
}

async function readLimited(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) throw new WireError(`the response declares ${declared} bytes, more than the ${max} accepted`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > max) throw new WireError(`the response exceeds ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function serverMessage(body: Uint8Array): string {
  try {
    const parsed = errorSchema.safeParse(JSON.parse(new TextDecoder().decode(body)));
    if (parsed.success) return parsed.data.error.slice(0, 500);
  } catch {
    // not the protocol's error object: fall through to the raw text
  }
  return new TextDecoder().decode(body.subarray(0, 200));
}

export function createKserveClient(opts: KserveClientOptions): KserveClient {
  const base = opts.url.replace(/\/+$/, '');
  const retryBaseMs = opts.retryBaseMs ?? 100;
  const maxResponseBytes = opts.maxResponseBytes ?? 64 * 1024 * 1024;
  const slots = createSlots(opts.maxInFlight, opts.maxQueued);

  const unavailable = (why: string, cause?: unknown) =>
    new SightlineError(ErrorCode.INFERENCE_UNAVAILABLE, `the inference server at ${base} ${why}`, { url: base }, { cause });

  const attempt = async (path: string, init: RequestInit, signal: AbortSignal): Promise<Attempt> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, signal });
    } catch (err) {
      if (signal.aborted) throw err;
      const code = (err as { cause?: { code?: string } }).cause?.code;
      return { answered: false, transient: true, error: unavailable(`cannot be reached (${code ?? String(err)})`, err) };
    }
    let body: Uint8Array;
    try {
      body = await readLimited(res, maxResponseBytes);
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof WireError) return { answered: false, transient: false, error: new SightlineError(ErrorCode.INFERENCE_FAILED, err.message) };
      return { answered: false, transient: true, error: unavailable(`broke off its response (${String(err)})`, err) };
    }
    if (res.ok) return { answered: true, status: res.status, headers: res.headers, body };
    const why = `answered ${res.status} to ${path}: ${serverMessage(body)}`;
    if (TRANSIENT_STATUS.has(res.status)) return { answered: false, transient: true, error: unavailable(why) };
    return { answered: true, status: res.status, headers: res.headers, body };
  };

  /** Runs attempts until one settles, the retries are spent, or the deadline passes. */
  const call = async (path: string, init: RequestInit, callerSignal: AbortSignal | undefined, gated: boolean) => {
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
    try {
      const release = gated ? await slots.acquire(signal) : () => undefined;
      try {
        for (let i = 0; ; i++) {
          const result = await attempt(path, init, signal);
          if (result.answered) return result;
          if (!result.transient || i >= opts.retries) throw result.error;
          await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** i), undefined, { signal });
        }
      } finally {
        release();
      }
    } catch (err) {
      if (callerSignal?.aborted) throw new SightlineError(ErrorCode.CANCELLED, 'the caller gave up on the inference call', {}, { cause: err });
      if (deadline.aborted) {
        throw new SightlineError(
          ErrorCode.INFERENCE_TIMEOUT,
          `the inference server at ${base} did not answer ${path} within ${opts.timeoutMs} ms (INFERENCE_TIMEOUT_MS)`,
          { url: base, timeoutMs: opts.timeoutMs },
          { cause: err },
        );
      }
      throw err;
    }
  };

  const failed = (path: string, status: number, body: Uint8Array) =>
    new SightlineError(ErrorCode.INFERENCE_FAILED, `the inference server at ${base} answered ${status} to ${path}: ${serverMessage(body)}`, {
      url: base,
      status,
    });
  const modelPath = (model: string) => `/v2/models/${encodeURIComponent(model)}`;
  const probe = async (path: string, signal: AbortSignal | undefined) => (await call(path, { method: 'GET' }, signal, false)).status === 200;

  return {
    serverReady: (signal) => probe('/v2/health/ready', signal),
    modelReady: (model, signal) => probe(`${modelPath(model)}/ready`, signal),
    async modelMetadata(model, signal) {
      const path = modelPath(model);
      const res = await call(path, { method: 'GET' }, signal, false);
      if (res.status === 404) {
        throw new SightlineError(ErrorCode.MODEL_NOT_FOUND, `the inference server at ${base} has no model ${model}: ${serverMessage(res.body)}`, {
          url: base,
          model,
        });
      }
      if (res.status !== 200) throw failed(path, res.status, res.body);
      try {
        return parseWith(metadataSchema, JSON.parse(new TextDecoder().decode(res.body)), `metadata of ${model}`);
      } catch (err) {
        throw new SightlineError(ErrorCode.INFERENCE_FAILED, `${base}${path}: ${(err as Error).message}`, { url: base }, { cause: err });
      }
    },
    async infer(model, inputs, outputs, signal) {
      const path = `${modelPath(model)}/infer`;
      const request = encodeBinaryBody({ outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })) }, 'inputs', inputs);
      const init: RequestInit = {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(request.headerLength) },
        body: request.body,
      };
      const res = await call(path, init, signal, true);
      if (res.status !== 200) throw failed(path, res.status, res.body);
      try {
        const { json, binary } = splitBody(res.body, res.headers.get(HEADER_LENGTH) ?? undefined);
        const response = parseWith(responseSchema, json, `response of ${model}`);
        const cursor = { bytes: binary, offset: 0 };
        return response.outputs.map((t) => readTensor(t, cursor));
      } catch (err) {
        if (!(err instanceof WireError)) throw err;
        throw new SightlineError(ErrorCode.INFERENCE_FAILED, `${base}${path}: ${err.message}`, { url: base }, { cause: err });
      }
    },
  };
}
