/**
 * The dimensions of a generated SigLIP model, named as in Hugging Face's
 * SiglipConfig, derived from a feature's published architecture (the
 * registry in ../features/). `full` is the published shape, so it costs per
 * image what the real model costs; `tiny` keeps the feature's output width,
 * image size and whole structure, with one layer and a narrow MLP, so tests
 * are fast.
 */
import { DEFAULT_FEATURE, type EncoderShape, type FeatureDescriptor } from '../features/index.ts';

export type EncoderDims = EncoderShape;

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

/** `base` is the name `full` had when SigLIP base was the only model; it still means the published shape. */
export const MODEL_SIZE_NAMES = ['full', 'tiny', 'base'] as const;
export type ModelSize = (typeof MODEL_SIZE_NAMES)[number];

/** One layer and a narrow MLP: what makes `tiny` cheap while the output width stays the feature's. */
const TINY = { intermediateSize: 512, numHiddenLayers: 1, vocabSize: 1000 };

/** A random-weight model of `feature`'s architecture, published size or tiny. */
export function modelDims(feature: FeatureDescriptor, size: ModelSize): SiglipDims {
  const { vision, text } = feature.architecture;
  const tiny = size === 'tiny';
  const shrink = (e: EncoderShape): EncoderShape => ({
    hiddenSize: e.hiddenSize,
    numAttentionHeads: e.numAttentionHeads,
    intermediateSize: tiny ? TINY.intermediateSize : e.intermediateSize,
    numHiddenLayers: tiny ? TINY.numHiddenLayers : e.numHiddenLayers,
  });
  return {
    vision: { ...shrink(vision), imageSize: feature.imageSize, patchSize: vision.patchSize, numChannels: 3 },
    text: {
      ...shrink(text),
      vocabSize: tiny ? TINY.vocabSize : text.vocabSize,
      maxPositionEmbeddings: feature.textLength,
      projectionSize: feature.dimensions,
    },
    layerNormEps: 1e-6,
  };
}

/** SigLIP base's shapes, by their historical names (tests and the benchmark use them). */
export const MODEL_SIZES: Record<'base' | 'tiny', SiglipDims> = {
  base: modelDims(DEFAULT_FEATURE, 'full'),
  tiny: modelDims(DEFAULT_FEATURE, 'tiny'),
};

export function isModelSize(value: string): value is ModelSize {
  return (MODEL_SIZE_NAMES as readonly string[]).includes(value);
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
