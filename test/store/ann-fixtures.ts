/**
 * Vectors shaped like real embeddings for ANN tests: mixtures of Gaussians
 * around a few centroids (uniform random vectors have no neighbourhoods, so
 * every ANN index fails on them and recall means nothing), and a logger that
 * keeps what the store says about opening collections.
 */
import { createLogger, type Logger } from '../../src/logger.ts';
import { seededRandom } from '../../src/extractor/model-generate/seeded-random.ts';
import type { FeatureBinding } from '../../src/store/vector-store.ts';

export const DIM = 64;
export const BINDING: FeatureBinding = { featureUri: 'test://ann', vectorName: 'v', dimensions: DIM, distance: 'cosine' };

export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** `count` vectors around `centroids` centres; `spread` is the noise's norm relative to a centre's. */
export function clustered(count: number, centroids: number, seed: number, spread = 0.6): Float32Array[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: centroids }, () => Float32Array.from({ length: DIM }, gauss));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * centroids)]!;
    return Float32Array.from(centre, (x) => x + (spread * gauss()));
  });
}

/** A logger whose `collection opened` fields are kept in `opened`. */
export function openingLog(): { logger: Logger; opened: Array<Record<string, unknown>> } {
  const opened: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', {}, (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.msg === 'collection opened') opened.push(entry);
  });
  return { logger, opened };
}
