/**
 * Streams an image from an http(s) URL with node:http, not fetch: the request
 * must connect to the address the SSRF guard approved (a pinned `lookup`),
 * which fetch cannot promise. Redirects are followed by hand so that each hop
 * is checked again.
 */
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { ErrorCode, SightlineError, isSightlineError } from '../errors.ts';
import type { ErrorDetails } from '../errors.ts';
import { assertWithinCap, readCappedBody } from './capped-body.ts';
import { startDeadline } from './deadline.ts';
import { pinnedLookup, resolveAllowedAddress } from './ssrf-guard.ts';
import type { ResolvedAddress, SsrfGuard } from './ssrf-guard.ts';

export interface HttpFetchOptions {
  /** TCP (and TLS) handshake limit per hop. @default 5000 (FETCH_CONNECT_TIMEOUT_MS) */
  connectTimeoutMs: number;
  /** Whole fetch, redirects and body included. @default 30000 (FETCH_TIMEOUT_MS) */
  timeoutMs: number;
  /** @default 5 (FETCH_MAX_REDIRECTS) */
  maxRedirects: number;
  /** @default 10 MiB (MAX_SOURCE_BYTES) */
  maxBytes: number;
  guard: SsrfGuard;
}

export interface HttpFetchResult {
  bytes: Buffer;
  /** Where the bytes came from after redirects. */
  finalUrl: URL;
  /** The server's claim, for logs only: content is sniffed from the bytes. */
  contentType?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Sightline/0.1 (+image ingest)';

export async function fetchHttpSource(url: URL, opts: HttpFetchOptions, signal?: AbortSignal): Promise<HttpFetchResult> {
  const deadline = startDeadline(opts.timeoutMs, signal);
  try {
    return await followRedirects(url, opts, deadline.signal);
  } catch (err) {
    if (isSightlineError(err)) throw err;
    throw deadline.abortError(url.href) ?? networkError(url, err);
  }
}

async function followRedirects(start: URL, opts: HttpFetchOptions, signal: AbortSignal): Promise<HttpFetchResult> {
  let current = start;
  for (let redirects = 0; ; redirects++) {
    const pinned = await resolveAllowedAddress(current, opts.guard, signal);
    const res = await sendRequest(current, pinned, opts.connectTimeoutMs, signal);
    const location = REDIRECT_STATUSES.has(res.statusCode ?? 0) ? res.headers.location : undefined;
    if (location === undefined) return readResponse(res, current, opts, signal);
    res.destroy();
    if (redirects >= opts.maxRedirects) {
      throw new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `${start.href}: too many redirects (over ${opts.maxRedirects})`, {
        url: start.href,
        maxRedirects: opts.maxRedirects,
      });
    }
    current = redirectTarget(location, current);
  }
}

function sendRequest(url: URL, pinned: ResolvedAddress, connectTimeoutMs: number, signal: AbortSignal) {
  const secure = url.protocol === 'https:';
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = (secure ? https : http).request(url, {
      method: 'GET',
      // A pooled socket would skip the pinned lookup; each fetch gets its own.
      agent: false,
      lookup: pinnedLookup(pinned),
      signal,
      headers: { 'user-agent': USER_AGENT, accept: 'image/*, application/pdf;q=0.9, */*;q=0.5' },
    });
    req.once('socket', (socket) => {
      const timer = setTimeout(() => req.destroy(connectTimeout(url, connectTimeoutMs)), connectTimeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.once('response', resolve);
    // Not `once`: a socket error after the response must not go unhandled.
    req.on('error', reject);
    req.end();
  });
}

async function readResponse(
  res: IncomingMessage,
  url: URL,
  opts: HttpFetchOptions,
  signal: AbortSignal,
): Promise<HttpFetchResult> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.destroy();
    const code = status === 404 || status === 410 ? ErrorCode.SOURCE_NOT_FOUND : ErrorCode.SOURCE_FETCH_FAILED;
    throw new SightlineError(code, `${url.href} answered HTTP ${status}`, { url: url.href, status });
  }
  const declared = contentLength(res.headers['content-length']);
  try {
    assertWithinCap(url.href, opts.maxBytes, declared);
  } catch (err) {
    res.destroy();
    throw err;
  }
  let bytes: Buffer;
  try {
    bytes = await readCappedBody(res, { label: url.href, maxBytes: opts.maxBytes, declaredBytes: declared, signal });
  } catch (err) {
    if (isSightlineError(err) || signal.aborted) throw err;
    throw networkError(url, err, status);
  }
  const contentType = res.headers['content-type'];
  return contentType === undefined ? { bytes, finalUrl: url } : { bytes, finalUrl: url, contentType };
}

function redirectTarget(location: string, from: URL): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch (err) {
    throw new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `${from.href} redirected to a malformed URL`, {
      url: from.href,
    }, { cause: err });
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new SightlineError(ErrorCode.SOURCE_FORBIDDEN, `${from.href} redirected to a ${next.protocol} URL`, {
      url: from.href,
    });
  }
  return next;
}

function contentLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function connectTimeout(url: URL, connectTimeoutMs: number): SightlineError {
  return new SightlineError(ErrorCode.SOURCE_TIMEOUT, `${url.host} did not accept a connection within ${connectTimeoutMs} ms`, {
    url: url.href,
    connectTimeoutMs,
  });
}

/** A failure below HTTP; `status` is known when the connection dropped mid-body. */
function networkError(url: URL, err: unknown, status?: number): SightlineError {
  const code = (err as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : 'network';
  const message = status === undefined ? (err instanceof Error ? err.message : String(err)) : 'the connection dropped mid-body';
  const details: ErrorDetails = status === undefined ? { url: url.href, reason } : { url: url.href, reason, status };
  return new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `fetching ${url.href} failed: ${message}`, details, { cause: err });
}
