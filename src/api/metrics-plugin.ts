/**
 * Counts GraphQL requests and times them, by operation and outcome. The
 * operation is the root field asked for (`multiple` for several, `invalid`
 * when the document did not parse or validate), never the client's operation
 * name, so the label set stays bounded by the schema.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '../metrics.ts';
import { rootFields } from './access-plugin.ts';
import type { ApiContext } from './context.ts';

export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let operation = 'invalid';
      return {
        async didResolveOperation({ operation: op, document }) {
          if (!op) return;
          const names = new Set(rootFields(op.selectionSet, document).map((f) => f.name.value));
          operation = names.size === 1 ? [...names][0]! : 'multiple';
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.['code'];
          const labels = { operation, outcome: errors === undefined ? 'ok' : typeof code === 'string' ? code : 'error' };
          metrics.graphqlRequests.inc(labels);
          metrics.graphqlSeconds.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
