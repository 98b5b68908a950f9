/**
 * The features this server offers, one entry per model. Adding a model is a
 * new entry file and one line in FEATURES; everything else (config, store
 * binding, loading, readiness, download, the generator) reads the entry.
 */
import type { FeatureDescriptor } from './feature-descriptor.ts';
import { SIGLIP_BASE } from './siglip-base.ts';
import { SIGLIP_LARGE } from './siglip-large.ts';

export type { EncoderShape, FeatureDescriptor } from './feature-descriptor.ts';
export { publicIdentity } from './feature-descriptor.ts';
export { MODEL_VARIANTS, type ModelVariant } from './model-variants.ts';

export const FEATURES: readonly FeatureDescriptor[] = [SIGLIP_BASE, SIGLIP_LARGE];

/** The seed's model: collections that name none are bound to it. */
export const DEFAULT_FEATURE: FeatureDescriptor = SIGLIP_BASE;

/** The feature whose output name (a collection's `model` parameter) is `name`; undefined when none is. */
export function featureByName(name: string): FeatureDescriptor | undefined {
  return FEATURES.find((f) => f.outputName === name);
}

export function featureByUri(uri: string): FeatureDescriptor | undefined {
  return FEATURES.find((f) => f.featureUri === uri);
}

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.outputName);
