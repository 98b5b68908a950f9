/** Logs the errors that format-error.ts masks, with the request id the client got in x-request-id. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiContext } from './context.ts';
import { unexpectedCause } from './format-error.ts';

export const errorLoggingPlugin: ApolloServerPlugin<ApiContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue, operationName }) {
        for (const error of errors) {
          const cause = unexpectedCause(error);
          if (cause === null) continue;
          contextValue.logger.error('unexpected error', {
            requestId: contextValue.requestId,
            operationName: operationName ?? null,
            path: error.path?.join('.') ?? null,
            err: cause instanceof Error ? cause : new Error(String(cause)),
          });
        }
      },
    };
  },
};
