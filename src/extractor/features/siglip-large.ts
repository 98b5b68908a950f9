/**
 * Google SigLIP large, patch 16, 256 px: 1024-d, about 4× base's compute per
 * image. Its ONNX export (Xenova/siglip-large-patch16-256) has base's layout
 * (onnx/vision_model.onnx, onnx/text_model.onnx with _fp16/_quantized,
 * tokenizer.json) and base's SentencePiece tokenizer, so it needs no new code.
 */
import type { FeatureDescriptor } from './feature-descriptor.ts';

export const SIGLIP_LARGE: FeatureDescriptor = {
  name: 'image_extractor',
  version: 'v1',
  featureUri: 'mixpeek://image_extractor@v1/google_siglip_large_v1',
  indexName: 'image_extractor_v1_embedding',
  outputName: 'google_siglip_large_v1',
  model: 'google/siglip-large-patch16-256',
  dimensions: 1024,
  distance: 'cosine',
  datatype: 'float32',
  imageSize: 256,
  textLength: 64,
  tokenizer: 'siglip-sentencepiece-unigram',
  dirName: 'siglip-large-patch16-256',
  download: {
    baseUrl: 'https://huggingface.co/Xenova/siglip-large-patch16-256/resolve/main',
    logitsUrl: 'https://huggingface.co/google/siglip-large-patch16-256/resolve/main/model.safetensors',
  },
  architecture: {
    vision: { hiddenSize: 1024, intermediateSize: 4096, numAttentionHeads: 16, numHiddenLayers: 24, patchSize: 16 },
    text: { hiddenSize: 1024, intermediateSize: 4096, numAttentionHeads: 16, numHiddenLayers: 24, vocabSize: 32000 },
  },
};
