/** Encoded photos to the vision tower's input, the way ingest makes it: media/ decodes once, the extractor normalises. */
import { normalisePixels, type ImageSize, type ModelPixels, type NormaliseOptions } from '../src/extractor/preprocess.ts';
import type { ModelFiles } from '../src/extractor/model-files.ts';
import { createImageDecoder, isImageType, sniffContentType } from '../src/media/index.ts';

const decoder = createImageDecoder({ maxPixels: 100_000_000 });

export function normaliseOptions(model: ModelFiles): NormaliseOptions {
  const { height, width, mean, std, rescaleFactor } = model.image;
  return { size: { height, width }, mean, std, rescaleFactor };
}

/** Sniffed and decoded once, squashed to the model's size. */
export async function modelPixels(bytes: Uint8Array, size: ImageSize): Promise<ModelPixels> {
  const type = sniffContentType(bytes);
  if (!isImageType(type)) throw new Error(`a bench photo sniffed as ${type}`);
  return (await decoder.decode({ kind: 'encoded', bytes, type }, { modelInput: size })).modelInput;
}

/** 3 × height × width float32 for one encoded image. */
export async function pixelValues(bytes: Uint8Array, opts: NormaliseOptions): Promise<Float32Array> {
  return normalisePixels(await modelPixels(bytes, opts.size), opts);
}
