/**
 * Vector arithmetic for exact cosine search. Vectors are normalised on the
 * way in (as Qdrant does for Cosine), so a score is a plain dot product.
 */
import { ErrorCode, SightlineError } from '../errors.ts';

/**
 * A unit-length copy of `vector`; INTERNAL_SERVER_ERROR unless it has
 * `dimensions` finite values: vectors come from the model or the store, never
 * from a client, so a bad one is Sightline's bug, not the caller's.
 */
export function normalisedCopy(vector: Float32Array, dimensions: number, what = 'vector'): Float32Array {
  if (!(vector instanceof Float32Array) || vector.length !== dimensions) {
    const got = vector instanceof Float32Array ? vector.length : typeof vector;
    throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `${what} must have ${dimensions} dimensions, got ${got}`, {
      expected: dimensions,
    });
  }
  let sum = 0;
  for (let i = 0; i < dimensions; i++) {
    const x = vector[i]!;
    if (!Number.isFinite(x)) {
      throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `${what} holds a non-finite value at index ${i}`);
    }
    sum += x * x;
  }
  const out = new Float32Array(vector);
  const norm = Math.sqrt(sum);
  // Like Qdrant, a zero vector stays zero rather than becoming NaN.
  if (norm < Number.EPSILON) return out;
  for (let i = 0; i < dimensions; i++) out[i] = out[i]! / norm;
  return out;
}

/**
 * Dot product of `query` with row `row` of a row-major matrix. Four
 * accumulators break the add dependency chain so the JIT can overlap the
 * multiplies; this loop is the whole cost of a search.
 */
export function dotRow(matrix: Float32Array, row: number, query: Float32Array, dimensions: number): number {
  const base = row * dimensions;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end = dimensions - (dimensions % 8);
  for (; i < end; i += 8) {
    const b = base + i;
    s0 += matrix[b]! * query[i]! + matrix[b + 4]! * query[i + 4]!;
    s1 += matrix[b + 1]! * query[i + 1]! + matrix[b + 5]! * query[i + 5]!;
    s2 += matrix[b + 2]! * query[i + 2]! + matrix[b + 6]! * query[i + 6]!;
    s3 += matrix[b + 3]! * query[i + 3]! + matrix[b + 7]! * query[i + 7]!;
  }
  for (; i < dimensions; i++) s0 += matrix[base + i]! * query[i]!;
  return s0 + s1 + s2 + s3;
}
