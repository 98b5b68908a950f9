/**
 * The image-decoding adapter: bytes (or a rendered PDF page) in, one sharp
 * pipeline out that every consumer shares, so the embedding and the
 * thumbnail see the same pixels: EXIF orientation applied, 8-bit sRGB, alpha
 * flattened onto white, first frame only. Pixel work runs in libuv's
 * threadpool (sharp), not on the JavaScript thread.
 */
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { ErrorCode, SightlineError } from '../errors.ts';
import { isImageType, sniffContentType } from './content-type.ts';
import { decodeBmp } from './bmp-decode.ts';

export type ImageInput =
  | { kind: 'encoded'; bytes: Uint8Array }
  /** Packed RGB(A) rows, as a PDF page render gives them. */
  | { kind: 'raw'; data: Uint8Array; width: number; height: number; channels: 3 | 4 };

export interface DecodeOptions {
  /** width × height above which an image is refused from its header. */
  maxPixels: number;
}

export interface ProcessedImage {
  data: Buffer;
  info: OutputInfo;
  /** The source's dimensions after EXIF orientation. */
  width: number;
  height: number;
}

// The reference (PIL + transformers' convert_to_rgb) composites onto white.
const WHITE = { r: 255, g: 255, b: 255 };

// 'error' makes a cut-off or undecodable file an error instead of a
// half-grey image ('truncated' misses JPEG-in-TIFF cut short), while
// tolerating the benign warnings (extraneous bytes, odd EXIF) that many
// cameras and editors produce and that PIL accepts too.
const FAIL_ON = 'error';

function tooLarge(width: number, height: number, maxPixels: number): SightlineError {
  return new SightlineError(
    ErrorCode.IMAGE_TOO_LARGE,
    `image is ${width}×${height} (${width * height} pixels), over the ${maxPixels}-pixel limit`,
    { width, height, maxPixels },
  );
}

function corrupt(err: unknown, details: Record<string, number> = {}): SightlineError {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new SightlineError(ErrorCode.CORRUPT_IMAGE, `cannot decode image: ${reason}`, details, { cause: err });
}

function rawPipeline(data: Uint8Array, width: number, height: number, channels: 3 | 4, maxPixels: number): Sharp {
  if (width * height > maxPixels) throw tooLarge(width, height, maxPixels);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw corrupt(new Error('raw image has no pixels'), { width, height });
  }
  if (data.length !== width * height * channels) {
    throw corrupt(new Error(`raw buffer holds ${data.length} bytes, not ${width}×${height}×${channels}`));
  }
  return sharp(data, { raw: { width, height, channels }, limitInputPixels: maxPixels });
}

interface OpenedImage {
  pipeline: Sharp;
  width: number;
  height: number;
}

async function openEncoded(bytes: Uint8Array, maxPixels: number): Promise<OpenedImage> {
  if (bytes.length === 0) throw new SightlineError(ErrorCode.EMPTY_INPUT, 'the image is empty (0 bytes)');
  const type = sniffContentType(bytes);
  if (!isImageType(type)) {
    throw new SightlineError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      type === undefined
        ? 'not an image we read (JPEG, PNG, WebP, BMP, GIF, TIFF, AVIF)'
        : `${type} is not an image; expected JPEG, PNG, WebP, BMP, GIF, TIFF or AVIF`,
      type === undefined ? {} : { detected: type },
    );
  }
  if (type === 'image/bmp') {
    const bmp = decodeBmp(bytes, maxPixels);
    return { pipeline: rawPipeline(bmp.data, bmp.width, bmp.height, 4, maxPixels), ...bmp };
  }
  // The header alone gives the size: a pixel bomb is refused before its
  // pixels are allocated, and the error can say how big it was.
  const meta = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch((err: unknown) => Promise.reject(corrupt(err)));
  const { width, height } = meta.autoOrient;
  if (width * height > maxPixels) throw tooLarge(width, height, maxPixels);
  const pipeline = sharp(bytes, { failOn: FAIL_ON, limitInputPixels: maxPixels, autoOrient: true });
  return { pipeline, width, height };
}

async function open(input: ImageInput, maxPixels: number): Promise<OpenedImage> {
  if (input.kind === 'encoded') return openEncoded(input.bytes, maxPixels);
  const { data, width, height, channels } = input;
  return { pipeline: rawPipeline(data, width, height, channels, maxPixels), width, height };
}

/**
 * Decodes the input into normalised pixels and hands the pipeline to
 * `finish` (resize, encode); runs it and turns every decoder failure into a
 * coded error. Never throws anything but a SightlineError.
 */
export async function processImage(
  input: ImageInput,
  opts: DecodeOptions,
  finish: (pipeline: Sharp) => Sharp,
): Promise<ProcessedImage> {
  const { pipeline, width, height } = await open(input, opts.maxPixels);
  try {
    const normalised = pipeline.flatten({ background: WHITE }).toColourspace('srgb');
    const { data, info } = await finish(normalised).toBuffer({ resolveWithObject: true });
    return { data, info, width, height };
  } catch (err) {
    if (err instanceof SightlineError) throw err;
    if (err instanceof Error && err.message.includes('exceeds pixel limit')) throw tooLarge(width, height, opts.maxPixels);
    throw corrupt(err, { width, height });
  }
}
