/**
 * A query combined from several parts (texts, images, stored documents, each
 * with a weight; a negative weight is a "not like this" example), answered by
 * one vector search. SigLIP puts texts and images in one shared space, so the
 * parts combine there: the weighted sum of their unit vectors, renormalised.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { normalisedCopy } from '../store/vector-math.ts';

/** Each part costs an embedding: a bound keeps one query from occupying the towers. */
export const MAX_QUERY_PARTS = 16;

export function combineUnitVectors(parts: readonly { vector: Float32Array; weight: number }[]): Float32Array {
  const dimensions = parts[0]?.vector.length ?? 0;
  const sum = new Float32Array(dimensions);
  for (const { vector, weight } of parts) {
    const unit = normalisedCopy(vector, dimensions, 'query part');
    for (let i = 0; i < dimensions; i++) sum[i] = sum[i]! + weight * unit[i]!;
  }
  const norm = Math.sqrt(sum.reduce((n, x) => n + x * x, 0));
  // Opposite parts of equal weight leave no direction to search in.
  if (norm < 1e-6) throw new SightlineError(ErrorCode.BAD_USER_INPUT, 'the weighted query parts cancel out: change a weight or a part');
  return normalisedCopy(sum, dimensions, 'combined query');
}
