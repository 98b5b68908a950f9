/**
 * The two SigLIP towers as ONNX graphs with the inputs and outputs of the
 * public exports (Xenova/siglip-base-patch16-224): `pixel_values` →
 * `pooler_output` for images, `input_ids` → `pooler_output` for text, each
 * also giving `last_hidden_state`.
 */
import { DataType, type GraphSpec } from './onnx-encode.ts';
import type { ModelVariant } from '../features/index.ts';
import { createGraphBuilder, type Precision } from './graph-builder.ts';
import type { SiglipDims } from './model-dims.ts';
import { attentionPoolingHead, embeddingInit, encoder, layerNorm, linear } from './siglip-layers.ts';

/**
 * How each published file stores a tower. transformers.js's quantize.py writes
 * `_int8` with signed and `_uint8` with unsigned weights everywhere, and for
 * `_quantized` (its "q8") picks unsigned weights for any graph with a Conv,
 * because onnxruntime-web has no ConvInteger for signed weights: so the
 * vision tower's `_quantized` file is uint8 and the text tower's is int8.
 */
export function towerPrecision(variant: ModelVariant, tower: 'vision' | 'text'): Precision {
  if (variant === 'quantized') return tower === 'vision' ? 'uint8' : 'int8';
  return variant;
}

export function buildVisionGraph(dims: SiglipDims, seed: number, variant: ModelVariant): GraphSpec {
  const v = dims.vision;
  const h = v.hiddenSize;
  const patches = (v.imageSize / v.patchSize) ** 2;
  const g = createGraphBuilder(seed, towerPrecision(variant, 'vision'));
  const init = embeddingInit(v.numChannels * v.patchSize ** 2);
  const kernel = { name: 'vision_model.embeddings.patch_embedding.weight', dims: [h, v.numChannels, v.patchSize, v.patchSize], init };
  const conv = g.conv('pixel_values', kernel, g.weight('vision_model.embeddings.patch_embedding.bias', [h], init), [
    { name: 'kernel_shape', ints: [v.patchSize, v.patchSize] },
    { name: 'strides', ints: [v.patchSize, v.patchSize] },
  ]);
  // [batch, hidden, rows, cols] → [batch, patches, hidden]; no class token in SigLIP.
  const flat = g.op('Reshape', [conv, g.int64('patch_grid_to_sequence', [0, h, -1])]);
  const tokens = g.op('Transpose', [flat], [{ name: 'perm', ints: [0, 2, 1] }]);
  const positions = g.weight('vision_model.embeddings.position_embedding.weight', [patches, h], embeddingInit(h));
  const encoded = encoder(g, g.op('Add', [tokens, positions]), 'vision_model.encoder', v, dims.layerNormEps);
  const last = layerNorm(g, encoded, 'vision_model.post_layernorm', h, dims.layerNormEps, 'last_hidden_state');
  attentionPoolingHead(g, last, 'vision_model.head', v, dims.layerNormEps, 'pooler_output');
  return g.finish(
    'siglip_vision_model',
    [{ name: 'pixel_values', elemType: DataType.FLOAT, dims: ['batch_size', v.numChannels, v.imageSize, v.imageSize] }],
    [
      { name: 'last_hidden_state', elemType: DataType.FLOAT, dims: ['batch_size', patches, h] },
      { name: 'pooler_output', elemType: DataType.FLOAT, dims: ['batch_size', h] },
    ],
  );
}

export function buildTextGraph(dims: SiglipDims, seed: number, variant: ModelVariant): GraphSpec {
  const t = dims.text;
  const h = t.hiddenSize;
  const g = createGraphBuilder(seed, towerPrecision(variant, 'text'));
  const tokens = g.gather('text_model.embeddings.token_embedding.weight', [t.vocabSize, h], embeddingInit(h), 'input_ids');
  const positions = g.weight('text_model.embeddings.position_embedding.weight', [t.maxPositionEmbeddings, h], embeddingInit(h));
  const encoded = encoder(g, g.op('Add', [tokens, positions]), 'text_model.encoder', t, dims.layerNormEps);
  const last = layerNorm(g, encoded, 'text_model.final_layer_norm', h, dims.layerNormEps, 'last_hidden_state');
  // SigLIP pools the last position, which is why every text is padded to the full length.
  const lastToken = g.op('Gather', [last, g.int64('last_position', [-1], [])], [{ name: 'axis', int: 1 }]);
  linear(g, lastToken, 'text_model.head', h, t.projectionSize, 'pooler_output');
  return g.finish(
    'siglip_text_model',
    [{ name: 'input_ids', elemType: DataType.INT64, dims: ['batch_size', t.maxPositionEmbeddings] }],
    [
      { name: 'last_hidden_state', elemType: DataType.FLOAT, dims: ['batch_size', t.maxPositionEmbeddings, h] },
      { name: 'pooler_output', elemType: DataType.FLOAT, dims: ['batch_size', t.projectionSize] },
    ],
  );
}
