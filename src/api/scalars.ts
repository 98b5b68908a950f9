/** The schema's custom scalars: free-form JSON, the values filters compare with, uploaded files. */
import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
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
  // A plain TypeError: graphql turns it into a coded input error with the field's place.
  throw new TypeError(`FilterValue is a string, number or boolean, not ${JSON.stringify(value) ?? String(value)}`);
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
      throw new TypeError('FilterValue is a string, number or boolean');
  }
}

export const FilterValueScalar = new GraphQLScalarType({
  name: 'FilterValue',
  serialize: asFilterValue,
  parseValue: asFilterValue,
  parseLiteral: filterValueLiteral,
});

/** multipart.ts has already read each file into a Buffer; anything else was not sent as a file. */
function asUpload(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  throw new TypeError('Upload is a file sent as a part of a multipart request (GraphQL multipart request specification)');
}

export const UploadScalar = new GraphQLScalarType({
  name: 'Upload',
  serialize: () => {
    throw new TypeError('Upload is an input only');
  },
  parseValue: asUpload,
  parseLiteral: () => {
    throw new TypeError('Upload is a file sent as a part of a multipart request, not a literal');
  },
});
