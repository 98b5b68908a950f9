/**
 * The image-decoding adapter (sharp). Each image is decoded exactly once, to
 * 8-bit sRGB pixels (EXIF orientation applied, alpha flattened onto white,
 * first frame only); the model's input and the thumbnail are both resized
 * from those same pixels, so they agree and neither pays for a second
 * decode. Pixel work runs in libuv's threadpool (sharp), not on the
 * JavaScript thread.
 *
 * A large JPEG is shrunk while it is decoded (libjpeg's DCT scaling by 2, 4
 * or 8, which libvips' jpegload offers as `shrink` and sharp uses when a
 * resize follows, `fastShrinkOnLoad`), to no less than twice the model's
 * input on each axis and no less than a thumbnail's width (640 px): the
 * final bicubic squash still averages at least 2×2 decoded pixels into each
 * input pixel. Below a twofold shrink the full size is decoded: a resize
 * would then add a resample and save no decoding. The reference processor
 * (transformers' SiglipImageProcessor, PIL) resizes the full-size image
 * instead. On the benchmark's 48 photo-like JPEGs (640×480 to 4000×3000) the
 * 224×224 input moved by at most 7/255 (mean 0.21/255) from that order, the
 * generated base model's embedding kept cosine ≥ 0.99969 (int8; fp32 ≥
 * 0.99994) to it (random weights: agreement, not quality), and the decode
 * with its squash took 24 instead of 40 ms of CPU per image, 52 instead of
 * 114 ms for 12 MP. `fullSize` keeps the reference's order.
 */
import { availableParallelism } from 'node:os';
import sharp, { type Sharp } from 'sharp';
import { createLimiter } from '../scheduling/concurrency-limit.ts';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { ImageSize, ModelPixels } from '../extractor/preprocess.ts';
import { decodeBmp } from './bmp-decode.ts';
import type { ImageMediaType } from './content-type.ts';
import { thumbnailPipeline, thumbnailWidth, type Thumbnail, type ThumbnailOptions } from './thumbnail.ts';

export type ImageInput =
  /** Bytes whose type was sniffed once, by the caller: the decoder trusts it. */
  | { kind: 'encoded'; bytes: Uint8Array; type: ImageMediaType }
  /** Packed RGB(A) rows, as a PDF page render gives them. */
  | { kind: 'raw'; data: Uint8Array; width: number; height: number; channels: 3 | 4 };

export interface DecodeRequest {
  /**
   * The feature's input size (its processor settings): the image is squashed
   * to exactly this, bicubic, no crop, as SigLIP's processor does.
   */
  modelInput: ImageSize;
  /** Also make a thumbnail from the same decoded pixels. */
  thumbnail?: ThumbnailOptions;
}

export interface DecodedImage {
  /** The source's dimensions, after EXIF orientation. */
  width: number;
  height: number;
  /** Packed RGB at exactly `modelInput`, for the extractor. */
  modelInput: ModelPixels;
  /** Present when asked for. */
  thumbnail?: Thumbnail;
}

export interface ImageDecoder {
  /**
   * Decodes once and derives every asked-for output from those pixels.
   * EMPTY_INPUT, UNSUPPORTED_MEDIA_TYPE (BMP variants), IMAGE_TOO_LARGE (from
   * the header, before pixels are allocated), CORRUPT_IMAGE; never throws
   * anything but a SightlineError. Decodes of different owners (requests,
   * told apart by their signal) take turns.
   */
  decode(input: ImageInput, want: DecodeRequest, owner?: AbortSignal): Promise<DecodedImage>;
}

export interface ImageDecoderOptions {
  /** width × height above which an image is refused from its header (MAX_IMAGE_PIXELS). */
  maxPixels: number;
  /**
   * Decode every image at full size before resizing, as the reference
   * processor does (IMAGE_DECODE_FULL_SIZE), instead of shrinking large
   * JPEGs on load.
   * @default false
   */
  fullSize?: boolean;
  /**
   * Decodes in memory at once: each holds its decoded width × height × 3
   * bytes (full size, but for large JPEGs) until its outputs are resized, so
   * this bounds memory, not just CPU.
   * @default the number of cores, at least 2
   */
  concurrency?: number;
  /** Records each decode's time (and so how many decodes there were). */
  metrics?: Pick<Metrics, 'imageDecodeSeconds'>;
}

/** Packed RGB, at full size or shrunk on load. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decoded pixels and the source's size (after EXIF orientation), which a shrunk decode no longer has. */
export interface DecodedPixels extends Pixels {
  source: ImageSize;
}

/** How many decoded pixels, per axis, at least go into one pixel of the model's input. */
const MODEL_INPUT_MARGIN = 2;

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

/** Runs a sharp pipeline; whatever libvips throws is a corrupt image, told apart from ours by class. */
async function run(pipeline: Sharp, details: Record<string, number>): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    if (err instanceof SightlineError) throw err;
    throw corrupt(err, details);
  }
}

function checkRaw(data: Uint8Array, width: number, height: number, channels: number, maxPixels: number): void {
  if (width * height > maxPixels) throw tooLarge(width, height, maxPixels);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw corrupt(new Error('raw image has no pixels'), { width, height });
  }
  if (data.length !== width * height * channels) {
    throw corrupt(new Error(`raw buffer holds ${data.length} bytes, not ${width}×${height}×${channels}`));
  }
}

/** Packed RGB(A) to packed RGB; three channels pass through uncopied. */
async function fromRaw(data: Uint8Array, width: number, height: number, channels: 3 | 4, maxPixels: number): Promise<DecodedPixels> {
  checkRaw(data, width, height, channels, maxPixels);
  const source = { width, height };
  if (channels === 3) return { data, width, height, source };
  const rgb = await run(sharp(data, { raw: { width, height, channels } }).flatten({ background: WHITE }), { width, height });
  return { data: rgb.data, width, height, source };
}

/** libjpeg scales by 2, 4 or 8 while decoding; under 2 a resize would only add a resample to a full decode. */
const MIN_SHRINK = 2;

/**
 * The size a JPEG of `source` (as displayed) is decoded to: scaled down,
 * aspect kept, until one axis meets `atLeast`; undefined where that would be
 * less than a twofold shrink, and the full size is decoded.
 */
export function shrunkSize(source: ImageSize, atLeast: ImageSize): ImageSize | undefined {
  const scale = Math.max(atLeast.width / source.width, atLeast.height / source.height);
  if (scale * MIN_SHRINK > 1) return undefined;
  return { width: Math.ceil(source.width * scale), height: Math.ceil(source.height * scale) };
}

async function fromEncoded(bytes: Uint8Array, type: ImageMediaType, maxPixels: number, atLeast: ImageSize | undefined): Promise<DecodedPixels> {
  if (bytes.length === 0) throw new SightlineError(ErrorCode.EMPTY_INPUT, 'the image is empty (0 bytes)');
  if (type === 'image/bmp') {
    const bmp = decodeBmp(bytes, maxPixels);
    return fromRaw(bmp.data, bmp.width, bmp.height, 4, maxPixels);
  }
  // The header alone gives the size: a pixel bomb is refused before its
  // pixels are allocated, and the error can say how big it was.
  const meta = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch((err: unknown) => Promise.reject(corrupt(err)));
  const source = { width: meta.autoOrient.width, height: meta.autoOrient.height };
  const { width, height } = source;
  if (width * height > maxPixels) throw tooLarge(width, height, maxPixels);
  // libvips' own limit stays as a second guard; a file whose pixels
  // outgrow its header fails it and is reported as corrupt.
  let pipeline = sharp(bytes, { failOn: FAIL_ON, limitInputPixels: maxPixels, autoOrient: true });
  // Only JPEG shrinks while decoding; any other format would pay a full decode and a resample.
  const shrunk = type === 'image/jpeg' && atLeast ? shrunkSize(source, atLeast) : undefined;
  // sharp picks the largest DCT scale that stays above this size and
  // resamples the rest (a factor under 2) with the same cubic kernel.
  if (shrunk) pipeline = pipeline.resize(shrunk.width, shrunk.height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true });
  const rgb = await run(pipeline.flatten({ background: WHITE }).toColourspace('srgb').raw(), { width, height });
  if (rgb.channels !== 3) throw corrupt(new Error(`decoded to ${rgb.channels} channels, not 3`), { width, height });
  return { data: rgb.data, width: rgb.width, height: rgb.height, source };
}

/** Squashed to exactly the model's size, as the reference processor does: no crop, no aspect kept. */
async function toModelInput(pixels: Pixels, size: ImageSize): Promise<ModelPixels> {
  const { width, height } = pixels;
  const out = await run(
    sharp(pixels.data, { raw: { width, height, channels: 3 } }).resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' }).raw(),
    { width, height },
  );
  return { data: out.data, width: out.width, height: out.height };
}

async function thumbnail(pixels: Pixels, opts: ThumbnailOptions): Promise<Thumbnail> {
  const out = await run(thumbnailPipeline(pixels, opts), { width: pixels.width, height: pixels.height });
  return { bytes: out.data, width: out.width, height: out.height, contentType: 'image/jpeg' };
}

/**
 * The one decode: 8-bit sRGB, oriented, on white; full size, or a large
 * JPEG shrunk on load to no less than `atLeast` (see shrunkSize).
 */
export function decodePixels(input: ImageInput, maxPixels: number, atLeast?: ImageSize): Promise<DecodedPixels> {
  return input.kind === 'encoded'
    ? fromEncoded(input.bytes, input.type, maxPixels, atLeast)
    : fromRaw(input.data, input.width, input.height, input.channels, maxPixels);
}

/**
 * The smallest decode that serves every output: twice the model's input on
 * each axis, so its bicubic squash still averages decoded pixels, and a
 * thumbnail's full width. The thumbnail's width counts whether or not one is
 * asked for, so that an image's embedding does not depend on its collection
 * making thumbnails, nor on arriving as a query instead.
 */
function decodeFloor(want: DecodeRequest): ImageSize {
  const { width, height } = want.modelInput;
  const thumbnail = thumbnailWidth(want.thumbnail ?? {});
  return { width: Math.max(MODEL_INPUT_MARGIN * width, thumbnail), height: MODEL_INPUT_MARGIN * height };
}

export function createImageDecoder(opts: ImageDecoderOptions): ImageDecoder {
  const slots = createLimiter(Math.max(1, opts.concurrency ?? Math.max(2, availableParallelism())));

  return {
    decode(input, want, owner) {
      return slots.run(async () => {
        const stop = opts.metrics?.imageDecodeSeconds.startTimer();
        const pixels = await decodePixels(input, opts.maxPixels, opts.fullSize ? undefined : decodeFloor(want));
        const [modelInput, thumb] = await Promise.all([
          toModelInput(pixels, want.modelInput),
          want.thumbnail ? thumbnail(pixels, want.thumbnail) : undefined,
        ]);
        const decoded: DecodedImage = { ...pixels.source, modelInput };
        if (thumb) decoded.thumbnail = thumb;
        stop?.();
        return decoded;
      }, owner);
    },
  };
}
