/**
 * Qdrant's REST API, spoken directly over fetch. The request and response
 * types are qdrant-js's (generated from Qdrant's OpenAPI document); its client
 * is not used because it keeps only the first character of a 429's
 * Retry-After (`error.headers.get('retry-after')?.[0]` in its api-client, so
 * "30" becomes 3 s), gives each call one timeout, and hides the status and
 * body of most failures behind a message.
 */
import { z } from 'zod';

/** A non-2xx answer from Qdrant. */
export class QdrantResponseError extends Error {
  override readonly name = 'QdrantResponseError';
  constructor(
    readonly status: number,
    /** `status.error` of Qdrant's JSON envelope, or the plain-text body (its auth layer answers in text). */
    readonly detail: string,
    /** Whether the body was Qdrant's JSON envelope (its storage layer) rather than text (its auth layer). */
    readonly enveloped: boolean,
    /** Retry-After, which Qdrant sends in whole seconds with its 429s. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}: ${detail}`);
  }
}

/** A 2xx answer whose body is not the shape Qdrant's API documents for the call. */
export class QdrantAnswerError extends Error {
  override readonly name = 'QdrantAnswerError';
  constructor(
    readonly path: string,
    /** The first mismatch, `field.path: message`. */
    readonly problem: string,
  ) {
    super(`unexpected answer from ${path} (${problem})`);
  }
}

/** No answer within the client-side deadline. */
export class QdrantTimeoutError extends Error {
  override readonly name = 'QdrantTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export type QueryValue = string | number | boolean | undefined;

export interface QdrantRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Client-side deadline; long calls pass their own. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface QdrantHttp {
  /**
   * The `result` of Qdrant's `{result, status, time}` envelope (the whole body
   * for `/`, which has none), checked against `answer`: QdrantAnswerError when
   * it does not match.
   */
  call<T>(req: QdrantRequest, answer: z.ZodType<T>): Promise<T>;
}

const envelope = z.object({ result: z.unknown() });
const errorEnvelope = z.object({ status: z.object({ error: z.string() }) });

export function createQdrantHttp(opts: { url: string; apiKey?: string; timeoutMs: number }): QdrantHttp {
  const base = opts.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  // The header Qdrant's auth reads first (HTTP_HEADER_API_KEY); it also takes `authorization: Bearer`.
  if (opts.apiKey) headers['api-key'] = opts.apiKey;

  return {
    async call<T>(req: QdrantRequest, answer: z.ZodType<T>): Promise<T> {
      const timeoutMs = req.timeoutMs ?? opts.timeoutMs;
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
      let response: Response;
      let text: string;
      try {
        response = await fetch(base + req.path + queryString(req.query), {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal,
        });
        text = await response.text();
      } catch (err) {
        if (deadline.aborted && !req.signal?.aborted) throw new QdrantTimeoutError(timeoutMs);
        throw err;
      }
      const json = parseJson(text);
      if (!response.ok) throw responseError(response, text, json);
      return checkAnswer(req.path, answer, req.path === '/' ? json : checkAnswer(req.path, envelope, json).result);
    },
  };
}

function queryString(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function checkAnswer<T>(path: string, schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new QdrantAnswerError(path, `${issue?.path.join('.') || 'the answer'}: ${issue?.message ?? 'invalid'}`);
}

function responseError(response: Response, text: string, json: unknown): QdrantResponseError {
  const parsed = errorEnvelope.safeParse(json);
  return new QdrantResponseError(
    response.status,
    parsed.success ? parsed.data.status.error : text,
    parsed.success,
    retryAfterMs(response.headers.get('retry-after')),
  );
}

/** Whole seconds (what Qdrant sends) or an HTTP date (what RFC 9110 also allows a proxy to send). */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
