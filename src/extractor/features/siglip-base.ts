/** Google SigLIP base, patch 16, 224 px: the seed's `google_siglip_base_v1`, and the default. */
import type { FeatureDescriptor } from './feature-descriptor.ts';

export const SIGLIP_BASE: FeatureDescriptor = {
  name: 'image_extractor',
  version: 'v1',
  featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
  indexName: 'image_extractor_v1_embedding',
  outputName: 'google_siglip_base_v1',
  model: 'google/siglip-base-patch16-224',
  dimensions: 768,
  distance: 'cosine',
  datatype: 'float32',
  imageSize: 224,
  textLength: 64,
  tokenizer: 'siglip-sentencepiece-unigram',
  dirName: 'siglip-base-patch16-224',
  download: {
    baseUrl: 'https://huggingface.co/Xenova/siglip-base-patch16-224/resolve/main',
    logitsUrl: 'https://huggingface.co/google/siglip-base-patch16-224/resolve/main/model.safetensors',
  },
  architecture: {
    vision: { hiddenSize: 768, intermediateSize: 3072, numAttentionHeads: 12, numHiddenLayers: 12, patchSize: 16 },
    text: { hiddenSize: 768, intermediateSize: 3072, numAttentionHeads: 12, numHiddenLayers: 12, vocabSize: 32000 },
  },
};
