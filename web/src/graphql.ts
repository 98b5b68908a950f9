/**
 * Talking to Sightline's GraphQL API from the page: JSON requests, and
 * multipart ones (the GraphQL multipart request specification) when files go
 * with them. The API key, when there is one, travels as a bearer token.
 */

export const GRAPHQL_ENDPOINT = '/graphql';

/** A failed request, told apart by its code (`extensions.code`, or the HTTP status's). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Files to send with an operation, by their place in the variables (`query.imageFile`). */
export type UploadFiles = ReadonlyArray<{ path: string; file: File }>;

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function graphql<T>(
  key: string | null,
  query: string,
  variables: Record<string, unknown>,
  files: UploadFiles = [],
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (key) headers['authorization'] = `Bearer ${key}`;
  let body: BodyInit;
  if (files.length === 0) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ query, variables });
  } else {
    // Apollo's CSRF prevention wants this header on multipart requests (no simple form can carry it).
    headers['apollo-require-preflight'] = 'true';
    body = multipartBody(query, variables, files);
  }
  const response = await fetch(GRAPHQL_ENDPOINT, { method: 'POST', headers, body, ...(signal ? { signal } : {}) });
  if (response.status === 401) throw new ApiError('This server needs an API key.', 'UNAUTHENTICATED', 401);
  const answer = (await response.json().catch(() => ({}))) as GraphqlAnswer<T>;
  const first = answer.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', response.status);
  if (!response.ok || answer.data == null) throw new ApiError(`The server answered ${response.status}.`, 'INTERNAL_SERVER_ERROR', response.status);
  return answer.data;
}

function multipartBody(query: string, variables: Record<string, unknown>, files: UploadFiles): FormData {
  const form = new FormData();
  // The spec's `operations` holds null where each file goes; `map` names those places.
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [`variables.${f.path}`]]))));
  files.forEach((f, i) => form.append(String(i), f.file, f.file.name));
  return form;
}
