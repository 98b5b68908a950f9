/**
 * A validation rule refusing operations nested deeper than a limit: the schema
 * has no cycles today, but a depth cap keeps one added later from becoming a
 * cheap denial of service. Introspection fields are not counted (GraphiQL's
 * introspection query is deeper than any real operation).
 */
import { GraphQLError, Kind } from 'graphql';
import type { FragmentDefinitionNode, SelectionSetNode, ValidationContext, ASTVisitor } from 'graphql';

export function depthLimit(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(operation) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const def of context.getDocument().definitions) {
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      }
      const depth = selectionDepth(operation.selectionSet, { fragments, inProgress: new Set(), known: new Map() });
      if (depth > maxDepth) {
        const name = operation.name ? `'${operation.name.value}'` : 'operation';
        context.reportError(
          new GraphQLError(`${name} is nested ${depth} levels deep; the limit is ${maxDepth}`, { nodes: operation }),
        );
      }
    },
  });
}

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  /** Fragments being measured: a cycle (reported by graphql's NoFragmentCycles) stops here. */
  inProgress: Set<string>;
  /** Measured once each, so a fragment spread many times costs nothing more. */
  known: Map<string, number>;
}

function selectionDepth(set: SelectionSetNode, walk: Walk): number {
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const below = selection.selectionSet ? selectionDepth(selection.selectionSet, walk) : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, walk));
    } else {
      deepest = Math.max(deepest, fragmentDepth(selection.name.value, walk));
    }
  }
  return deepest;
}

function fragmentDepth(name: string, walk: Walk): number {
  const known = walk.known.get(name);
  if (known !== undefined) return known;
  const fragment = walk.fragments.get(name);
  if (!fragment || walk.inProgress.has(name)) return 0;
  walk.inProgress.add(name);
  const depth = selectionDepth(fragment.selectionSet, walk);
  walk.inProgress.delete(name);
  walk.known.set(name, depth);
  return depth;
}
