/**
 * How the Qdrant store talks to Qdrant: retries with exponential backoff for
 * idempotent calls, and one mapping from client failures to coded errors.
 */
import { ErrorCode, SightlineError } from '../errors.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Response bodies can be large; messages carry only their start. */
const MAX_DETAIL = 300;

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function nameOf(err: unknown): string {
  return err instanceof Error ? err.constructor.name : '';
}

/** 429, 5xx, timeouts and dropped connections are worth another try. */
export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return status === 429 || status >= 500;
  const name = nameOf(err);
  return (
    name === 'QdrantClientTimeoutError' ||
    name === 'QdrantClientResourceExhaustedError' ||
    err instanceof TypeError // undici's "fetch failed": refused, reset, DNS
  );
}

function detail(err: unknown): string {
  const data = (err as { data?: unknown } | null)?.data;
  let text: string;
  try {
    text = data === undefined ? (err instanceof Error ? err.message : String(err)) : JSON.stringify(data);
  } catch {
    text = String(err);
  }
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/** A coded error for a failed Qdrant call; `what` names the operation. */
export function qdrantError(err: unknown, what: string): SightlineError {
  if (err instanceof SightlineError) return err;
  const status = statusOf(err);
  const message = `Qdrant ${what} failed: ${detail(err)}`;
  // Requests are validated before they reach Qdrant, so a refusal there is Sightline's bug, not the caller's.
  if (status === 400 || status === 422) return new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, message, { status }, { cause: err });
  if (status === 401 || status === 403) {
    return new SightlineError(ErrorCode.STORE_UNAVAILABLE, `${message} (check QDRANT_API_KEY)`, { status }, { cause: err });
  }
  return new SightlineError(ErrorCode.STORE_UNAVAILABLE, message, status === undefined ? {} : { status }, { cause: err });
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

export function isConflict(err: unknown): boolean {
  return statusOf(err) === 409 || (statusOf(err) === 400 && /already exists/i.test(detail(err)));
}

function retryAfterMs(err: unknown): number | undefined {
  const seconds = (err as { retry_after?: unknown } | null)?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs an idempotent call, retrying transient failures with exponential
 * backoff and full jitter (honouring Retry-After on 429).
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (attempt: number, delayMs: number, err: unknown) => void,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await call();
    } catch (err) {
      if (attempt >= policy.attempts || !isTransient(err)) throw err;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = retryAfterMs(err) ?? Math.random() * backoff;
      onRetry(attempt, delay, err);
      await sleep(delay, signal);
    }
  }
}
