/**
 * What one GraphQL document may ask for, so that no single request can hold
 * the event loop or the inference queue for long. The rules are GraphQL
 * Armor's, made for this; the token limit is graphql-js's own, enforced by
 * its lexer while parsing, so a 24 MB document is refused after `maxTokens`
 * tokens instead of being parsed whole (Apollo passes `parseOptions` to
 * graphql-js `parse`).
 *
 * A refused document gets Apollo's own stable codes with HTTP 400: too many
 * tokens is GRAPHQL_PARSE_FAILED (it stops the parser), too deep, too many
 * aliases or too costly is GRAPHQL_VALIDATION_FAILED. The message names the
 * limit and its setting.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { GraphqlLimits } from '../config.ts';

export function parseOptions(limits: GraphqlLimits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

/**
 * Armor throws by default, which graphql-js `validate` does not catch (a 500);
 * reported to the validation context instead, the refusal is a 400 like any
 * other invalid document.
 */
function refuseSaying(howToFix: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(`${error.message} ${howToFix}`)),
    ],
  };
}

export function validationRules(limits: GraphqlLimits): ValidationRule[] {
  return [
    // Fragments do not add depth, and introspection (GraphiQL's query is deeper than any real operation) is not counted.
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...refuseSaying('Select less deeply (GRAPHQL_MAX_DEPTH).') }),
    // Each aliased `search` or `ingest` is its own inference work: aliases multiply one request's cost.
    maxAliasesRule({ n: limits.maxAliases, ...refuseSaying('Send fewer aliased fields per request (GRAPHQL_MAX_ALIASES).') }),
    costLimitRule({
      maxCost: limits.maxCost,
      ignoreIntrospection: true,
      ...refuseSaying('Select fewer fields, or split the work over several requests (GRAPHQL_MAX_COST).'),
    }),
  ];
}
