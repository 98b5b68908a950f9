/**
 * The files a SigLIP export publishes per tower, named by transformers.js's
 * quantize.py: fp32 `*_model.onnx`, `_fp16`, and onnxruntime's dynamic int8
 * quantizations `_quantized` (vision uint8, text int8), `_int8` and `_uint8`.
 * Data like the features themselves, so configuration can name them without
 * reaching into the code that loads them.
 */
export const MODEL_VARIANTS = ['fp32', 'fp16', 'quantized', 'int8', 'uint8'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];
