/** A minimal GraphQL-over-HTTP client for the seed: one POST per operation, each with a timeout. */
export interface GraphqlClientOptions {
  endpoint: string;
  /** Sent as `Authorization: Bearer <key>` when the server requires keys. */
  apiKey?: string;
  timeoutMs: number;
}

export class GraphqlRequestError extends Error {
  override readonly name = 'GraphqlRequestError';
  constructor(
    message: string,
    /** extensions.code of the first error, or HTTP_<status>. */
    readonly code: string,
  ) {
    super(message);
  }
}

export type GraphqlRequest = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export function createGraphqlClient({ endpoint, apiKey, timeoutMs }: GraphqlClientOptions): GraphqlRequest {
  return async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new GraphqlRequestError(`HTTP ${res.status} from ${endpoint}: ${text.slice(0, 200)}`, `HTTP_${res.status}`);
    }
    const first = body.errors?.[0];
    if (first) throw new GraphqlRequestError(first.message, first.extensions?.code ?? `HTTP_${res.status}`);
    if (!body.data) throw new GraphqlRequestError(`HTTP ${res.status} from ${endpoint} without data`, `HTTP_${res.status}`);
    return body.data;
  };
}
