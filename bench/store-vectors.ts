/**
 * Vectors for the store benchmark, generated point by point from a seed so a
 * million of them never need to sit in memory at once. Clustered: Gaussian
 * noise around one of a few hundred centroids (real embeddings have
 * neighbourhoods, and ANN recall is only meaningful on data that does).
 * Uniform: no structure at all, the worst case for any ANN index.
 */
import { seededRandom } from '../src/extractor/model-generate/seeded-random.ts';

export const DIM = 768;
const CENTROIDS = 300;
/** Noise norm relative to a centroid's: neighbours within a cluster have cosines around 0.7. */
const SPREAD = 0.6;

export type Distribution = 'clustered' | 'uniform';

function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}

export function vectorSource(kind: Distribution, seed: number): (i: number) => Float32Array {
  const centroidRandom = gaussian(seededRandom(seed));
  const centroids = kind === 'clustered' ? Array.from({ length: CENTROIDS }, () => Float32Array.from({ length: DIM }, centroidRandom)) : [];
  return (i) => {
    const random = seededRandom(seed * 7919 + i + 1);
    if (kind === 'uniform') return Float32Array.from({ length: DIM }, () => random() - 0.5);
    const noise = gaussian(random);
    const centre = centroids[Math.floor(random() * CENTROIDS)]!;
    return Float32Array.from(centre, (x) => x + SPREAD * noise());
  };
}

/** Share of the exact ids (per query) that were found. */
export function recallAt(found: string[][], truth: string[][]): number {
  let hits = 0;
  let wanted = 0;
  found.forEach((ids, q) => {
    const exact = new Set(truth[q]);
    wanted += exact.size;
    hits += ids.filter((id) => exact.has(id)).length;
  });
  return wanted === 0 ? 1 : hits / wanted;
}
