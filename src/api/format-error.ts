/**
 * What a client sees of an error. Coded errors (SightlineError, and GraphQL's
 * own parse/validation/input errors) keep their code and message; anything
 * else is a bug or an outage detail and is masked (and logged by
 * error-logging-plugin.ts with the request id).
 */
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isSightlineError } from '../errors.ts';

export const MASKED_ERROR: GraphQLFormattedError = {
  message: 'internal error',
  extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
};

/**
 * The error a resolver or plugin threw. A plugin's error has no path, so Apollo's
 * unwrapping keeps the GraphQLError; its coded cause still carries the details.
 */
function codedCause(error: unknown): unknown {
  const original = unwrapResolverError(error);
  // Apollo wraps again when the plugin's GraphQLError comes from the other graphql build (see codeOf).
  for (let cause = original, depth = 0; cause != null && depth < 3; depth++) {
    if (isSightlineError(cause)) return cause;
    cause = (cause as { originalError?: unknown }).originalError;
  }
  return original;
}

/** The original error behind a GraphQL error, when no client should see it. */
export function unexpectedCause(error: unknown): unknown | null {
  const original = codedCause(error);
  if (isSightlineError(original)) return original.code === ErrorCode.INTERNAL_SERVER_ERROR ? original : null;
  const code = codeOf(original);
  if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR) return null;
  return (original as { originalError?: unknown } | null)?.originalError ?? original;
}

/**
 * The code GraphQL (or Apollo) put on its own errors. Read by shape, not
 * instanceof: graphql's CommonJS and ESM builds can both be loaded (Apollo
 * gets one, the test runner another), and their GraphQLError classes differ.
 */
function codeOf(error: unknown): string | undefined {
  const extensions = (error as { extensions?: unknown } | null)?.extensions;
  const code = typeof extensions === 'object' && extensions !== null ? (extensions as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  try {
    if (unexpectedCause(error) !== null) return withPlace(MASKED_ERROR, formatted);
    const original = codedCause(error);
    if (isSightlineError(original)) {
      const extensions: Record<string, unknown> = { code: original.code };
      if (Object.keys(original.details).length > 0) extensions['details'] = original.details;
      return withPlace({ message: original.message, extensions }, formatted);
    }
    // GraphQL's own coded errors: keep only the code (no stack trace, no internals).
    return withPlace({ message: formatted.message, extensions: { code: formatted.extensions?.['code'] } }, formatted);
  } catch {
    return MASKED_ERROR;
  }
}

function withPlace(error: GraphQLFormattedError, formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    ...error,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
}
