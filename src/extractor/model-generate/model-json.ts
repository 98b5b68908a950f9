/**
 * The JSON files of a generated model directory, in the shapes Hugging Face
 * writes for google/siglip-base-patch16-224, so the loader reads generated
 * and downloaded models the same way.
 */
import type { SiglipDims, EncoderDims } from './model-dims.ts';

export interface SpecialTokenIds {
  pad: number;
  eos: number;
}

function encoderConfig(d: EncoderDims, eps: number) {
  return {
    hidden_size: d.hiddenSize,
    intermediate_size: d.intermediateSize,
    num_attention_heads: d.numAttentionHeads,
    num_hidden_layers: d.numHiddenLayers,
    layer_norm_eps: eps,
    hidden_act: 'gelu_pytorch_tanh',
    attention_dropout: 0,
  };
}

/** config.json (SiglipConfig); `generated` records where the weights came from. */
export function siglipConfigJson(dims: SiglipDims, ids: SpecialTokenIds, generated: Record<string, unknown>): object {
  const { vision, text } = dims;
  return {
    architectures: ['SiglipModel'],
    model_type: 'siglip',
    initializer_factor: 1,
    text_config: {
      model_type: 'siglip_text_model',
      ...encoderConfig(text, dims.layerNormEps),
      vocab_size: text.vocabSize,
      max_position_embeddings: text.maxPositionEmbeddings,
      projection_size: text.projectionSize,
      pad_token_id: ids.pad,
      eos_token_id: ids.eos,
    },
    vision_config: {
      model_type: 'siglip_vision_model',
      ...encoderConfig(vision, dims.layerNormEps),
      image_size: vision.imageSize,
      patch_size: vision.patchSize,
      num_channels: vision.numChannels,
    },
    torch_dtype: 'float32',
    sightline_generated: generated,
  };
}

/** preprocessor_config.json (SiglipImageProcessor): squash to the square, bicubic, [-1, 1]. */
export function preprocessorConfigJson(dims: SiglipDims): object {
  return {
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    image_processor_type: 'SiglipImageProcessor',
    processor_class: 'SiglipProcessor',
    resample: 3,
    rescale_factor: 1 / 255,
    size: { height: dims.vision.imageSize, width: dims.vision.imageSize },
  };
}
