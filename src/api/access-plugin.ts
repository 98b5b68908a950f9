/**
 * Scoped API keys: which scope each root field needs, checked once the
 * operation is known and before anything runs, so a key used outside its
 * scope gets a 403 that names the missing scope and nothing is half-done.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError, Kind, valueFromASTUntyped } from 'graphql';
import type { DocumentNode, FieldNode, SelectionSetNode } from 'graphql';
import type { ApiKeyScope } from '../config.ts';
import { ErrorCode, SightlineError } from '../errors.ts';
import { reachesCollection, type Access } from './api-keys.ts';
import type { ApiContext } from './context.ts';

interface FieldRule {
  scope: ApiKeyScope;
  /** The argument naming the collection the field touches, checked against a key's collections. */
  collectionArg?: 'collection' | 'name';
}

/**
 * Every root field, by the scope it needs. A field missing here needs `admin`
 * (a test fails until it is listed), so a new mutation is never open by accident.
 * `collections` lists only what the key reaches; `ingestJob` checks its job's collection.
 */
export const ROOT_FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  'Query.extractors': { scope: 'search' },
  'Query.extractor': { scope: 'search' },
  'Query.collections': { scope: 'search' },
  'Query.collection': { scope: 'search', collectionArg: 'name' },
  'Query.document': { scope: 'search', collectionArg: 'collection' },
  'Query.search': { scope: 'search', collectionArg: 'collection' },
  'Query.ingestJob': { scope: 'ingest' },
  'Mutation.ingest': { scope: 'ingest', collectionArg: 'collection' },
  'Mutation.createCollection': { scope: 'admin', collectionArg: 'name' },
  'Mutation.deleteCollection': { scope: 'admin', collectionArg: 'name' },
  'Mutation.deleteDocuments': { scope: 'admin', collectionArg: 'collection' },
};

/** Why the access does not cover a scope (and collection), or null when it does. */
export function accessDenied(access: Access, scope: ApiKeyScope, collection?: string): SightlineError | null {
  if (!access.scopes.has(scope)) {
    return new SightlineError(ErrorCode.FORBIDDEN, `this API key lacks the '${scope}' scope`, { scope });
  }
  if (collection !== undefined && !reachesCollection(access, collection)) {
    return new SightlineError(ErrorCode.FORBIDDEN, `this API key does not reach collection '${collection}'`, { scope, collection });
  }
  return null;
}

/** Throws a 403 (HTTP status included) when the access does not cover a scope (and collection). */
export function requireAccess(access: Access, scope: ApiKeyScope, collection?: string): void {
  const denied = accessDenied(access, scope, collection);
  if (denied === null) return;
  throw new GraphQLError(denied.message, {
    originalError: denied,
    extensions: { code: denied.code, http: { status: 403, headers: new HeaderMap() } },
  });
}

export const accessPlugin: ApolloServerPlugin<ApiContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, request, contextValue }) {
        if (!operation) return;
        const rootType = operation.operation === 'mutation' ? 'Mutation' : 'Query';
        for (const field of rootFields(operation.selectionSet, document)) {
          if (field.name.value.startsWith('__')) continue;
          const rule = ROOT_FIELD_RULES[`${rootType}.${field.name.value}`] ?? { scope: 'admin' };
          requireAccess(contextValue.access, rule.scope, collectionArgument(field, rule, request.variables));
        }
      },
    };
  },
};

/** The root fields an operation selects, through fragments (validation has already refused cycles). */
export function rootFields(set: SelectionSetNode, document: DocumentNode): FieldNode[] {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document);
    const fragment = document.definitions.find(
      (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(fragment.selectionSet, document) : [];
  });
}

function collectionArgument(field: FieldNode, rule: FieldRule, variables: Record<string, unknown> | undefined): string | undefined {
  if (rule.collectionArg === undefined) return undefined;
  const arg = field.arguments?.find((a) => a.name.value === rule.collectionArg);
  const value = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
  // Validation has checked the type; a non-string here is a missing variable, which execution refuses.
  return typeof value === 'string' ? value : undefined;
}
