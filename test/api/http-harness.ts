/** The API on a real HTTP server (port 0) over stub services, for tests of the HTTP surface. */
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { loadConfig, type ApiKeyGrant, type GraphqlLimits } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createStubServices, type StubServices } from './stub-services.ts';

export interface RunningStub {
  server: SightlineHttpServer;
  url: string;
  services: StubServices;
  logs: Record<string, unknown>[];
}

export interface StubServerOptions {
  apiKeys?: ApiKeyGrant[];
  corsAllowedOrigins?: string[];
  maxBodyBytes?: number;
  graphql?: Partial<GraphqlLimits>;
}

const running: RunningStub[] = [];

export async function startStubServer(options: StubServerOptions = {}): Promise<RunningStub> {
  const services = createStubServices();
  const logs: Record<string, unknown>[] = [];
  const server = await createHttpServer({
    services,
    logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))),
    config: {
      port: 0,
      host: '127.0.0.1',
      publicBaseUrl: undefined,
      apiKeys: options.apiKeys ?? [],
      corsAllowedOrigins: options.corsAllowedOrigins,
      graphql: { ...loadConfig({}).server.graphql, ...options.graphql },
      syncMaxObjects: 64,
      maxBodyBytes: options.maxBodyBytes,
    },
  });
  const url = await server.listen();
  const r = { server, url, services, logs };
  running.push(r);
  return r;
}

/** Closes every server started since the last call (an afterEach). */
export async function stopStubServers(): Promise<void> {
  await Promise.all(running.splice(0).map((r) => r.server.close()));
}

export function postGraphql(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
): Promise<Response> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
}
