/**
 * The types a passthrough field may declare, each a Qdrant payload index type
 * (keyword, integer, float, bool, datetime). A declared type decides the
 * field's payload index, which values ingest stores, and which filter values
 * can ever match it.
 */
export const FIELD_TYPES = ['keyword', 'integer', 'float', 'bool', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Qdrant keeps integers as i64. */
const I64_LIMIT = 2 ** 63;

/**
 * RFC 3339 date-times, the forms Qdrant's datetime index parses: a date, or a
 * date and time (`T` or a space), optional fractions, optional `Z`/offset
 * (none means UTC).
 */
const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function fitsOne(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'keyword':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < I64_LIMIT;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')));
  }
}

/** A value a field of this type can store: null (no value), one value of the type, or an array of them. */
export function fitsFieldType(value: unknown, type: FieldType): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.every((v) => v === null || fitsOne(v, type));
  return fitsOne(value, type);
}

/** The type an undeclared field is indexed as, from a value: a number is always a float (see README, Passthrough). */
export function inferredFieldType(value: unknown): FieldType | undefined {
  const sample = Array.isArray(value) ? value.find((v) => v !== null && v !== undefined) : value;
  switch (typeof sample) {
    case 'string':
      return 'keyword';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float';
    default:
      return undefined;
  }
}
