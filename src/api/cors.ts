/**
 * CORS for browsers on other origins (a storefront calling the API): only the
 * configured origins (CORS_ALLOWED_ORIGINS, none by default) get CORS headers;
 * any other origin gets none, so its browser refuses to hand it the answer.
 * Preflights are answered before authentication: a browser never sends the
 * Authorization header on one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a cross-origin request may carry: the key, JSON or multipart, the CSRF header, a request id. */
const ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id';
/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

export interface Cors {
  /** Adds the CORS headers when the request comes from an allowed origin. */
  apply(req: IncomingMessage, res: ServerResponse): void;
  /** Answers a preflight (OPTIONS with Access-Control-Request-Method); false when it is not one. */
  answerPreflight(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createCors(allowedOrigins: readonly string[]): Cors {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  const allowedOrigin = (req: IncomingMessage): string | null => {
    const origin = req.headers.origin;
    return origin !== undefined && (anyOrigin || allowed.has(origin)) ? origin : null;
  };
  const apply = (req: IncomingMessage, res: ServerResponse) => {
    if (allowedOrigins.length === 0) return;
    // Answers differ by Origin: caches must keep them apart.
    res.setHeader('vary', 'Origin');
    const origin = allowedOrigin(req);
    if (origin === null) return;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'x-request-id');
  };
  return {
    apply,
    answerPreflight(req, res) {
      if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
      apply(req, res);
      if (allowedOrigin(req) !== null) {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
        res.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE);
      }
      res.writeHead(204).end();
      return true;
    },
  };
}
