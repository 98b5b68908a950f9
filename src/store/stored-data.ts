/**
 * What Sightline reads back from storage (the stores, the ingest job
 * database) is checked against the shape it wrote before anything trusts it:
 * a corrupt SQLite row, a hand-edited file or a Qdrant collection changed by
 * another client becomes STORE_DATA_INVALID, naming what is wrong, instead of
 * a crash deep inside.
 */
import { z } from 'zod';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Payload } from './vector-store.ts';

export const featureBindingSchema = z.object({
  featureUri: z.string().min(1),
  vectorName: z.string(),
  dimensions: z.number().int().positive(),
  distance: z.literal('cosine'),
});

/**
 * A payload is a JSON object; its fields are the caller's, so only the object
 * itself is checked, and handed on as it is (not rebuilt key by key, which
 * would give a `__proto__` key a meaning).
 */
export const payloadSchema = z.custom<Payload>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a JSON object',
);

/** Where a stored value came from, for the error message and details. */
export interface StoredValueSource {
  /** The collection it belongs to, when it belongs to one. */
  collection?: string;
  /** e.g. `the feature binding`, `the payload of point 3f…`. */
  what: string;
}

export function storedDataInvalid(source: StoredValueSource, problem: string, cause?: unknown): SightlineError {
  const { collection, what } = source;
  return new SightlineError(
    ErrorCode.STORE_DATA_INVALID,
    `${what}${collection === undefined ? '' : ` of collection "${collection}"`} is not what Sightline stores (${problem}); ` +
      'it was changed outside Sightline or is damaged',
    { ...(collection === undefined ? {} : { collection }), what, problem: problem.slice(0, 300) },
    { cause },
  );
}

/** `value` checked against `schema`; STORE_DATA_INVALID naming the first problem otherwise. */
export function checkStored<T>(schema: z.ZodType<T>, value: unknown, source: StoredValueSource): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw storedDataInvalid(source, `${at}${issue?.message ?? 'invalid'}`, parsed.error);
}

/** JSON text read back from storage, parsed and checked. */
export function parseStoredJson<T>(schema: z.ZodType<T>, text: string, source: StoredValueSource): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw storedDataInvalid(source, 'not JSON', err);
  }
  return checkStored(schema, value, source);
}

/** A float32 vector stored as a BLOB, checked to hold exactly `dimensions` values. */
export function storedVector(blob: Buffer, dimensions: number, source: StoredValueSource): Float32Array {
  if (blob.byteLength !== dimensions * Float32Array.BYTES_PER_ELEMENT) {
    throw storedDataInvalid(source, `${blob.byteLength} bytes where ${dimensions} float32 values take ${dimensions * 4}`);
  }
  // A copy: a Float32Array view needs a 4-byte-aligned offset, which a Buffer does not promise.
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}
