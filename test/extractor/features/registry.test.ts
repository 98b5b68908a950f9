import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE, FEATURES, featureByName, featureByUri } from '../../../src/extractor/features/index.ts';
import { featureBinding } from '../../../src/store/vector-store.ts';
import { modelDims } from '../../../src/extractor/model-generate/model-dims.ts';

describe('the features registry', () => {
  it("keeps the seed's identity for SigLIP base, the default", () => {
    expect(DEFAULT_FEATURE).toMatchObject({
      featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
      indexName: 'image_extractor_v1_embedding',
      outputName: 'google_siglip_base_v1',
      dimensions: 768,
      distance: 'cosine',
      datatype: 'float32',
      imageSize: 224,
    });
    expect(featureBinding(DEFAULT_FEATURE)).toEqual({
      featureUri: 'mixpeek://image_extractor@v1/google_siglip_base_v1',
      vectorName: 'google_siglip_base_v1',
      dimensions: 768,
      distance: 'cosine',
    });
  });

  it('names each feature once, by a URI built from its output name, and finds it by either', () => {
    for (const f of FEATURES) {
      expect(f.featureUri).toBe(`mixpeek://${f.name}@${f.version}/${f.outputName}`);
      expect(featureByName(f.outputName)).toBe(f);
      expect(featureByUri(f.featureUri)).toBe(f);
    }
    for (const key of ['featureUri', 'outputName', 'dirName', 'model'] as const) {
      expect(new Set(FEATURES.map((f) => f[key])).size).toBe(FEATURES.length);
    }
    expect(featureByName('constructor')).toBeUndefined();
    expect(featureByUri('mixpeek://image_extractor@v1/nope')).toBeUndefined();
  });

  it("describes architectures whose pooled outputs have the feature's width and whose patches tile its images", () => {
    for (const f of FEATURES) {
      expect(f.architecture.vision.hiddenSize).toBe(f.dimensions);
      expect(f.architecture.text.hiddenSize).toBe(f.dimensions);
      expect(f.imageSize % f.architecture.vision.patchSize).toBe(0);
      for (const size of ['full', 'tiny'] as const) {
        const dims = modelDims(f, size);
        expect(dims.vision.imageSize).toBe(f.imageSize);
        expect(dims.text.projectionSize).toBe(f.dimensions);
        expect(dims.vision.hiddenSize % dims.vision.numAttentionHeads).toBe(0);
      }
    }
  });

  it("generates SigLIP large at its published shape (Xenova/siglip-large-patch16-256's config.json) and a tiny one of the same width and image size", () => {
    const large = featureByName('google_siglip_large_v1')!;
    const encoder = { hiddenSize: 1024, intermediateSize: 4096, numAttentionHeads: 16, numHiddenLayers: 24 };
    expect(modelDims(large, 'full')).toEqual({
      vision: { ...encoder, imageSize: 256, patchSize: 16, numChannels: 3 },
      text: { ...encoder, vocabSize: 32000, maxPositionEmbeddings: 64, projectionSize: 1024 },
      layerNormEps: 1e-6,
    });
    expect(modelDims(large, 'tiny')).toMatchObject({
      vision: { hiddenSize: 1024, numHiddenLayers: 1, imageSize: 256 },
      text: { hiddenSize: 1024, numHiddenLayers: 1, projectionSize: 1024 },
    });
  });
});
