/**
 * The identity of image_extractor v1 as clients and stores see it. These are
 * invariants: a collection bound to this feature refuses vectors of any other.
 */
export const IMAGE_EXTRACTOR = {
  name: 'image_extractor',
  version: 'v1',
  featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
  indexName: 'image_extractor_v1_embedding',
  outputName: 'google_siglip_base_v1',
  model: 'google/siglip-base-patch16-224',
  dimensions: 768,
  distance: 'cosine',
  datatype: 'float32',
} as const;

export type FeatureDescriptor = typeof IMAGE_EXTRACTOR;
