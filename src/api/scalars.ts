/** The schema's custom scalars: free-form JSON and the values filters compare with. */
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import type { ValueNode } from 'graphql';

export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

function asFilterValue(value: unknown): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new GraphQLError(`FilterValue is a string, number or boolean, not ${JSON.stringify(value) ?? String(value)}`);
}

function filterValueLiteral(ast: ValueNode): string | number | boolean {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.BOOLEAN:
      return ast.value;
    default:
      throw new GraphQLError('FilterValue is a string, number or boolean', { nodes: ast });
  }
}

export const FilterValueScalar = new GraphQLScalarType({
  name: 'FilterValue',
  serialize: asFilterValue,
  parseValue: asFilterValue,
  parseLiteral: filterValueLiteral,
});
