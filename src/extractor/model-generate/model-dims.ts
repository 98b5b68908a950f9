/**
 * The dimensions of a generated SigLIP model, named as in Hugging Face's
 * SiglipConfig. `base` is google/siglip-base-patch16-224's shape, so it costs
 * per image what the real model costs; `tiny` keeps SigLIP's 768-wide output
 * and its whole structure, with one layer and a narrow MLP, so tests are fast.
 */
export interface EncoderDims {
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numHiddenLayers: number;
}

export interface VisionDims extends EncoderDims {
  imageSize: number;
  patchSize: number;
  numChannels: number;
}

export interface TextDims extends EncoderDims {
  vocabSize: number;
  /** SigLIP pads every text to exactly this many tokens (64). */
  maxPositionEmbeddings: number;
  /** Width of the text head's output; SigLIP makes it the hidden size, matching the vision pooler. */
  projectionSize: number;
}

export interface SiglipDims {
  vision: VisionDims;
  text: TextDims;
  layerNormEps: number;
}

export type ModelSize = 'tiny' | 'base';

const BASE_ENCODER: EncoderDims = { hiddenSize: 768, intermediateSize: 3072, numAttentionHeads: 12, numHiddenLayers: 12 };
const TINY_ENCODER: EncoderDims = { hiddenSize: 768, intermediateSize: 512, numAttentionHeads: 12, numHiddenLayers: 1 };
const IMAGE = { imageSize: 224, patchSize: 16, numChannels: 3 };

export const MODEL_SIZES: Record<ModelSize, SiglipDims> = {
  base: {
    vision: { ...BASE_ENCODER, ...IMAGE },
    text: { ...BASE_ENCODER, vocabSize: 32000, maxPositionEmbeddings: 64, projectionSize: 768 },
    layerNormEps: 1e-6,
  },
  tiny: {
    vision: { ...TINY_ENCODER, ...IMAGE },
    text: { ...TINY_ENCODER, vocabSize: 1000, maxPositionEmbeddings: 64, projectionSize: 768 },
    layerNormEps: 1e-6,
  },
};

export function isModelSize(value: string): value is ModelSize {
  return Object.hasOwn(MODEL_SIZES, value);
}

/**
 * Floating-point operations for one image through the vision tower, counting
 * 2 per multiply-add of the convolution and matrix products (LayerNorm,
 * softmax and GELU are a rounding error). base: about 35.3 GFLOP.
 */
export function visionFlopsPerImage(v: VisionDims): number {
  const n = (v.imageSize / v.patchSize) ** 2;
  const h = v.hiddenSize;
  const patchEmbedding = n * h * v.numChannels * v.patchSize ** 2;
  const attention = 4 * n * h * h + 2 * n * n * h;
  const mlp = 2 * n * h * v.intermediateSize;
  // The pooling head: one probe query against n keys and values, then its MLP on one token.
  const head = 2 * h * h + 2 * n * h * h + 2 * n * h + 2 * h * v.intermediateSize;
  return 2 * (patchEmbedding + v.numHiddenLayers * (attention + mlp) + head);
}
