/**
 * What one feature is, as data: the identity clients and stores see (URI,
 * output name, dimension, distance), the model behind it, how its images and
 * texts are prepared, where its files come from, and the architecture the
 * test-model generator copies. The rest of Sightline reads these fields; no
 * other file names a model, a width or an image size.
 */
/** SiglipConfig's encoder fields (Hugging Face names, camel-cased). */
export interface EncoderShape {
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numHiddenLayers: number;
}

export interface FeatureDescriptor {
  /** The seed's extractor: every feature here is a model of image_extractor v1. */
  name: 'image_extractor';
  version: 'v1';
  /** How queries and collections name the feature: `mixpeek://image_extractor@v1/<outputName>`. */
  featureUri: string;
  /** The output field of the extractor (the seed's index name). */
  indexName: string;
  /** The named vector in the store, and the collection's `model` parameter. */
  outputName: string;
  /** The published checkpoint (Hugging Face id) whose weights the model directory holds. */
  model: string;
  /** Width of both towers' pooled output: the vector size. */
  dimensions: number;
  distance: 'cosine';
  datatype: 'float32';
  /** The vision tower's input: square, this many pixels a side. */
  imageSize: number;
  /** The text tower's input: ids padded to exactly this length (SigLIP trained on 64). */
  textLength: number;
  /** Which tokenizer family its tokenizer.json is; tokenizer.ts reads this one. */
  tokenizer: 'siglip-sentencepiece-unigram';
  /** The model directory's name under MODELS_DIR (MODEL_DIR overrides the default feature's). */
  dirName: string;
  download: {
    /** A Hugging Face-style `resolve/main` URL laid out like Xenova/siglip-base-patch16-224. */
    baseUrl: string;
    /** The full model's safetensors, read for logit_scale/logit_bias with two Range requests. */
    logitsUrl: string;
  };
  /** The published architecture, for `npm run model:generate` (a random-weight model of this shape). */
  architecture: {
    vision: EncoderShape & { patchSize: number };
    text: EncoderShape & { vocabSize: number };
  };
}

/** The fields the API shows of a feature (the seed's Vector Index table). */
export function publicIdentity(feature: FeatureDescriptor) {
  const { name, version, featureUri, indexName, outputName, model, dimensions, distance, datatype } = feature;
  return { name, version, featureUri, indexName, outputName, model, dimensions, distance, datatype };
}
