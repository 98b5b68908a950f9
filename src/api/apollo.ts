/** The Apollo Server behind /graphql, without any HTTP: tests drive it with executeOperation. */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { accessPlugin } from './access-plugin.ts';
import type { GraphqlLimits } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ApiContext } from './context.ts';
import { errorLoggingPlugin } from './error-logging-plugin.ts';
import { formatError } from './format-error.ts';
import { metricsPlugin } from './metrics-plugin.ts';
import type { Metrics } from '../metrics.ts';
import { parseOptions, validationRules } from './query-limits.ts';
import { createResolvers } from './resolvers.ts';

export const SCHEMA_PATH = new URL('../../schema/sightline.graphql', import.meta.url);

export interface ApolloOptions {
  /** What one document may ask for (GRAPHQL_MAX_TOKENS, _DEPTH, _ALIASES, _COST). */
  limits: GraphqlLimits;
  /**
   * Ingest batches larger than this run as a job (INGEST_SYNC_MAX_OBJECTS).
   * @default 64
   */
  syncMaxObjects: number;
  logger: Logger;
  /** Where request counts and latencies go; without it nothing is recorded (in-process tests). */
  metrics?: Metrics;
}

export function createApolloServer({ limits, syncMaxObjects, logger, metrics }: ApolloOptions): ApolloServer<ApiContext> {
  return new ApolloServer<ApiContext>({
    typeDefs: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers: createResolvers({ syncMaxObjects }),
    formatError,
    includeStacktraceInErrorResponses: false,
    parseOptions: parseOptions(limits),
    validationRules: validationRules(limits),
    // Our own GraphiQL page replaces Apollo's landing page, which loads from a CDN.
    plugins: [ApolloServerPluginLandingPageDisabled(), accessPlugin, errorLoggingPlugin, ...(metrics ? [metricsPlugin(metrics)] : [])],
    // main.ts owns signals and shuts the HTTP server and Apollo down in order.
    stopOnTerminationSignals: false,
    logger: {
      debug: (msg) => logger.debug(String(msg)),
      info: (msg) => logger.info(String(msg)),
      warn: (msg) => logger.warn(String(msg)),
      error: (msg) => logger.error(String(msg)),
    },
  });
}
