/**
 * SigLIP preprocessing after the resize, matching transformers'
 * SiglipImageProcessor: rescale, normalise, float32 channels-first. media/
 * decodes and squashes the image to the model's size (`ImageSize`, from the
 * model's processor settings) and hands over packed RGB (`ModelPixels`).
 */
import { ErrorCode, SightlineError } from '../errors.ts';

export interface ImageSize {
  width: number;
  height: number;
}

/** Packed 8-bit RGB rows at exactly the model's input size. */
export interface ModelPixels extends ImageSize {
  data: Uint8Array;
}

export interface NormaliseOptions {
  size: ImageSize;
  mean: [number, number, number];
  std: [number, number, number];
  rescaleFactor: number;
}

/**
 * One table per channel maps each byte value straight to its normalised
 * float, so the conversion loop is a load and a store per sample.
 */
function normalisationTables(opts: NormaliseOptions): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v * opts.rescaleFactor - opts.mean[c]!) / opts.std[c]!;
    return table;
  });
}

function toChannelsFirst(rgb: Uint8Array, pixels: number, tables: Float32Array[]): Float32Array {
  const out = new Float32Array(3 * pixels);
  const [r, g, b] = tables as [Float32Array, Float32Array, Float32Array];
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    out[i] = r[rgb[j]!]!;
    out[pixels + i] = g[rgb[j + 1]!]!;
    out[2 * pixels + i] = b[rgb[j + 2]!]!;
  }
  return out;
}

/** 3 × height × width float32, channels first: the model's pixel_values row. */
export function normalisePixels(pixels: ModelPixels, opts: NormaliseOptions): Float32Array {
  const { width, height } = opts.size;
  if (pixels.width !== width || pixels.height !== height || pixels.data.length !== width * height * 3) {
    // media/ resizes to the size the extractor announces: anything else is a bug, not the client's mistake.
    throw new SightlineError(
      ErrorCode.INTERNAL_SERVER_ERROR,
      `pixels are ${pixels.width}×${pixels.height} (${pixels.data.length} bytes), expected ${width}×${height}×3`,
    );
  }
  return toChannelsFirst(pixels.data, width * height, normalisationTables(opts));
}
