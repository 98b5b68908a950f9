/**
 * The HTTP server: the search page at /, /graphql (Apollo, or the playground
 * for a browser), /healthz, /readyz, /thumbnails/<key>, /metrics. Plain node:http so that each route
 * stays a small function and shutdown can wait for in-flight requests.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap } from '@apollo/server';
import type { ApolloServer } from '@apollo/server';
import type { ApiKeyScope, Config } from '../config.ts';
import { ErrorCode, SightlineError, isSightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { FULL_ACCESS, createApiKeyCheck, type Access } from './api-keys.ts';
import { accessDenied } from './access-plugin.ts';
import { createApolloServer } from './apollo.ts';
import { createCors } from './cors.ts';
import { METRICS_PATH, sendMetrics } from './metrics-route.ts';
import type { ApiContext } from './context.ts';
import { sendHealth, sendReadiness } from './health.ts';
import { HttpFailure, parseBody, readBody, sendError } from './http-io.ts';
import { isMultipart, readMultipartOperations } from './multipart.ts';
import { PLAYGROUND_ASSET_PREFIX, sendPlayground, sendPlaygroundAsset } from './playground/playground.ts';
import { PAGE_BASE, sendSearchPage, sendSearchPageAsset } from './search-page.ts';
import type { Services } from './services.ts';
import { THUMBNAIL_PREFIX, sendThumbnail } from './thumbnails.ts';

export const GRAPHQL_PATH = '/graphql';

export interface HttpServerOptions {
  services: Services;
  config: Config['server'] & {
    /** Ingest batches larger than this run as a job (INGEST_SYNC_MAX_OBJECTS). */
    syncMaxObjects: number;
    /**
     * Largest request body accepted, JSON or multipart (files included).
     * @default 67108864 (64 MiB)
     */
    maxBodyBytes?: number;
    /**
     * How long close() lets in-flight requests finish before cutting connections.
     * @default 30000
     */
    shutdownTimeoutMs?: number;
  };
  logger: Logger;
  /**
   * The app's instruments, served at /metrics with the request counts added here.
   * @default a fresh registry (process metrics and this server's requests only)
   */
  metrics?: Metrics;
}

export interface SightlineHttpServer {
  apollo: ApolloServer<ApiContext>;
  httpServer: http.Server;
  /** Listens on config.port and config.host; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, then stops Apollo. */
  close(): Promise<void>;
}

/** What every route gets; GraphQL adds the access the request's key carries. */
type RequestContext = Omit<ApiContext, 'access'>;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function createHttpServer({ services, config, logger, metrics = createMetrics() }: HttpServerOptions): Promise<SightlineHttpServer> {
  const maxBodyBytes = config.maxBodyBytes ?? 64 * 1024 * 1024;
  const apollo = createApolloServer({ limits: config.graphql, syncMaxObjects: config.syncMaxObjects, logger, metrics });
  await apollo.start();
  const keysRequired = config.apiKeys.length > 0;
  const cors = createCors(config.corsAllowedOrigins ?? []);
  const accessFor = createApiKeyCheck(config.apiKeys);
  let closing: Promise<void> | null = null;

  async function route(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // HEAD is GET without the body (Node's http drops it): uptime checks and link previews ask for pages with it.
    const reads = method === 'GET' || method === 'HEAD';
    if (cors.answerPreflight(req, res)) return;
    if (path === '/healthz') return sendHealth(res);
    if (path === '/readyz') return sendReadiness(res, services, ctx.signal);
    if (path === '/' && reads) return sendSearchPage(res);
    if (path.startsWith(PAGE_BASE) && reads) {
      if (await sendSearchPageAsset(res, path.slice(PAGE_BASE.length))) return;
      throw new HttpFailure(404, ErrorCode.NOT_FOUND, 'no such asset');
    }
    if (path.startsWith(PLAYGROUND_ASSET_PREFIX) && reads) {
      if (await sendPlaygroundAsset(res, path.slice(PLAYGROUND_ASSET_PREFIX.length))) return;
      throw new HttpFailure(404, ErrorCode.NOT_FOUND, 'no such asset');
    }
    if (path === GRAPHQL_PATH && wantsPlayground(req, url)) {
      return sendPlayground(res, { endpoint: GRAPHQL_PATH, apiKeysRequired: keysRequired });
    }
    const isGraphql = path === GRAPHQL_PATH;
    const isThumbnail = path.startsWith(THUMBNAIL_PREFIX) && method === 'GET';
    const isMetrics = path === METRICS_PATH && method === 'GET';
    if (!isGraphql && !isThumbnail && !isMetrics) throw new HttpFailure(404, ErrorCode.NOT_FOUND, `no route for ${method} ${path}`);
    const access = authenticate(req);
    if (isThumbnail) {
      requireScope(access, 'search');
      return sendThumbnail(res, services, path.slice(THUMBNAIL_PREFIX.length));
    }
    if (isMetrics) {
      requireScope(access, 'metrics');
      return sendMetrics(res, metrics);
    }
    return runGraphql(req, res, url, { ...ctx, access });
  }

  function requireScope(access: Access, scope: ApiKeyScope): void {
    const denied = accessDenied(access, scope);
    if (denied) throw new HttpFailure(403, denied.code, denied.message, denied.details);
  }

  function authenticate(req: IncomingMessage): Access {
    if (!keysRequired) return FULL_ACCESS;
    const access = accessFor(req.headers.authorization);
    if (access === null) throw new HttpFailure(401, ErrorCode.UNAUTHENTICATED, 'a valid API key is required');
    return access;
  }

  async function readPostBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    if (isMultipart(req)) return readMultipartOperations(req, res, maxBodyBytes);
    return parseBody(await readBody(req, maxBodyBytes), req.headers['content-type']);
  }

  async function runGraphql(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ApiContext): Promise<void> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'POST' ? await readPostBody(req, res) : undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () => ctx,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const httpServer = http.createServer((req, res) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    cors.apply(req, res);
    const requestLogger = logger.child({ requestId });
    const abort = new AbortController();
    // The client went away before its answer: long work (embedding, fetching) can stop.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    res.on('finish', () => {
      const quiet = req.url === '/healthz' || req.url === '/readyz';
      const fields = { method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (quiet) requestLogger.debug('request', fields);
      else requestLogger.info('request', fields);
      // During shutdown a finished keep-alive connection must not linger.
      if (closing) setImmediate(() => httpServer.closeIdleConnections());
    });
    const ctx: RequestContext = { services, requestId, logger: requestLogger, signal: abort.signal };
    route(req, res, ctx).catch((err: unknown) => answerFailure(res, err, requestLogger));
  });

  return {
    apollo,
    httpServer,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          const { port } = httpServer.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
        });
      }),
    close() {
      closing ??= shutDown(httpServer, apollo, config.shutdownTimeoutMs ?? 30_000);
      return closing;
    },
  };
}

/** A browser opening /graphql gets the playground; a GET carrying a query is an operation. */
function wantsPlayground(req: IncomingMessage, url: URL): boolean {
  return req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
}

function answerFailure(res: ServerResponse, err: unknown, logger: Logger): void {
  if (res.headersSent) {
    logger.error('failure after the response started', { err });
    res.destroy();
    return;
  }
  if (err instanceof HttpFailure) {
    // Nothing about which keys exist: the same answer for a missing, malformed or wrong key.
    const headers: Record<string, string> = err.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
    sendError(res, err.status, err, headers);
    return;
  }
  if (isSightlineError(err) && err.code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    sendError(res, 400, err);
    return;
  }
  logger.error('unexpected error', { err });
  sendError(res, 500, new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, 'internal error'));
}

async function shutDown(httpServer: http.Server, apollo: ApolloServer<ApiContext>, timeoutMs: number): Promise<void> {
  const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  httpServer.closeIdleConnections();
  const deadline = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
  deadline.unref();
  await drained;
  clearTimeout(deadline);
  await apollo.stop();
}

