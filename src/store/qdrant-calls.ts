/**
 * How the Qdrant store talks to Qdrant: retries with exponential backoff for
 * idempotent calls, and one mapping from client failures to coded errors.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { QdrantAnswerError, QdrantResponseError, QdrantTimeoutError } from './qdrant-http.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After fails the call now rather than hold its caller that long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

/** Response bodies can be large; messages carry only their start. */
const MAX_DETAIL = 300;

/**
 * 408 is Qdrant's own timeout (StorageError::Timeout), 429 its rate limit,
 * 5xx a node or shard that is down or busy; a client-side timeout or a
 * dropped connection (undici's "fetch failed" TypeError) may pass too.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof QdrantResponseError) return err.status === 408 || err.status === 429 || err.status >= 500;
  return err instanceof QdrantTimeoutError || err instanceof TypeError;
}

function detail(err: unknown): string {
  const text = err instanceof QdrantResponseError ? err.detail : err instanceof Error ? err.message : String(err);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/**
 * Qdrant answers 403 for two reasons: its storage layer's "Storage locked"
 * (writes refused until an operator unlocks it), in its JSON envelope, and a
 * key without the access asked for: plain text from its auth layer, or the
 * envelope's "Forbidden: …" from its access checks (src/actix/helpers.rs,
 * src/actix/auth.rs, lib/storage/src/content_manager/errors.rs in v1.18).
 */
function forbidden(err: QdrantResponseError, message: string): SightlineError {
  const locked = err.enveloped && err.detail.startsWith('Storage locked');
  return locked
    ? new SightlineError(ErrorCode.STORE_UNAVAILABLE, `${message} (Qdrant's storage is locked: writes are refused until it is unlocked)`, {
        status: 403,
        reason: 'locked',
      }, { cause: err })
    : new SightlineError(ErrorCode.STORE_UNAVAILABLE, `${message} (QDRANT_API_KEY lacks this permission: a read-only key or a token without access to the collection)`, {
        status: 403,
        reason: 'permission',
      }, { cause: err });
}

/** A coded error for a failed Qdrant call; `what` names the operation. */
export function qdrantError(err: unknown, what: string): SightlineError {
  if (err instanceof SightlineError) return err;
  const message = `Qdrant ${what} failed: ${detail(err)}`;
  if (err instanceof QdrantAnswerError) {
    return new SightlineError(ErrorCode.STORE_DATA_INVALID, message, { what, problem: err.problem.slice(0, MAX_DETAIL) }, { cause: err });
  }
  if (err instanceof QdrantTimeoutError) {
    return new SightlineError(ErrorCode.STORE_UNAVAILABLE, message, { timeoutMs: err.timeoutMs }, { cause: err });
  }
  if (!(err instanceof QdrantResponseError)) return new SightlineError(ErrorCode.STORE_UNAVAILABLE, message, {}, { cause: err });
  const { status } = err;
  if (status === 429 && err.retryAfterMs !== undefined) {
    return new SightlineError(ErrorCode.STORE_UNAVAILABLE, message, { status, retryAfterMs: err.retryAfterMs }, { cause: err });
  }
  // Requests are validated before they reach Qdrant, so a refusal there is Sightline's bug, not the caller's.
  if (status === 400 || status === 422) return new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, message, { status }, { cause: err });
  if (status === 401) return new SightlineError(ErrorCode.STORE_UNAVAILABLE, `${message} (check QDRANT_API_KEY)`, { status }, { cause: err });
  if (status === 403) return forbidden(err, message);
  return new SightlineError(ErrorCode.STORE_UNAVAILABLE, message, { status }, { cause: err });
}

export function isNotFound(err: unknown): boolean {
  return err instanceof QdrantResponseError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof QdrantResponseError && err.status === 409;
}

function retryAfter(err: unknown): number | undefined {
  return err instanceof QdrantResponseError ? err.retryAfterMs : undefined;
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
 * backoff and full jitter, or after the Retry-After Qdrant asked for.
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
      const asked = retryAfter(err);
      if (asked !== undefined && asked > policy.maxRetryAfterMs) throw err;
      const delay = asked ?? Math.random() * backoff;
      onRetry(attempt, delay, err);
      await sleep(delay, signal);
    }
  }
}
