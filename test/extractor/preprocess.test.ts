import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { normalisePixels, type NormaliseOptions } from '../../src/extractor/preprocess.ts';
import * as fx from '../fixtures/images.ts';
import { decodeBytes } from '../fixtures/media.ts';

// SigLIP's preprocessor_config.json: mean = std = 0.5, rescale 1/255.
const siglip = (size: number): NormaliseOptions => ({
  size: { width: size, height: size },
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  rescaleFactor: 1 / 255,
});
const normalised = (v: number) => (v / 255 - 0.5) / 0.5;

/** The whole image path before inference: media/ sniffs, decodes and squashes, the extractor normalises. */
async function preprocessImage(bytes: Uint8Array, opts: NormaliseOptions) {
  const decoded = await decodeBytes(bytes, { modelInput: opts.size });
  return { pixelValues: normalisePixels(decoded.modelInput, opts), width: decoded.width, height: decoded.height };
}

async function run(bytes: Uint8Array | Promise<Uint8Array>, size = 4) {
  const out = await preprocessImage(await bytes, siglip(size));
  const plane = size * size;
  /** Channel c (0 R, 1 G, 2 B) at (x, y), in channels-first layout. */
  const at = (c: number, x: number, y: number) => out.pixelValues[c * plane + y * size + x]!;
  return { ...out, at };
}

describe('preprocessImage matches the reference numerics', () => {
  it('gives 3×H×W float32 values and the original size', async () => {
    const out = await run(fx.encode(fx.solid(50, 30, [10, 128, 250]), 'png'), 224);
    expect(out.pixelValues).toBeInstanceOf(Float32Array);
    expect(out.pixelValues.length).toBe(3 * 224 * 224);
    expect([out.width, out.height]).toEqual([50, 30]);
  });

  it('maps 255 to exactly 1 and 0 to exactly -1', async () => {
    const white = await run(fx.encode(fx.solid(7, 5, [255, 255, 255]), 'png'));
    const black = await run(fx.encode(fx.solid(7, 5, [0, 0, 0]), 'png'));
    expect(new Set(white.pixelValues)).toEqual(new Set([1]));
    expect(new Set(black.pixelValues)).toEqual(new Set([-1]));
  });

  it('keeps a solid colour exactly that colour through the resize', async () => {
    const out = await run(fx.encode(fx.solid(50, 30, [10, 128, 250]), 'png'), 224);
    for (const [c, v] of [10, 128, 250].entries()) {
      const plane = out.pixelValues.subarray(c * 224 * 224, (c + 1) * 224 * 224);
      expect(new Set(plane)).toEqual(new Set([Math.fround(normalised(v))]));
    }
  });

  it('squashes instead of cropping: a 2×1 image fills all of a 4×4 output with both colours', async () => {
    const out = await run(fx.encode(fx.halves(2, 1, [255, 0, 0], [0, 0, 255]), 'png'));
    for (let y = 0; y < 4; y++) {
      // Left edge pure red, right edge pure blue, green nowhere: nothing cropped.
      expect([out.at(0, 0, y), out.at(2, 0, y)]).toEqual([1, -1]);
      expect([out.at(0, 3, y), out.at(2, 3, y)]).toEqual([-1, 1]);
      for (let x = 0; x < 4; x++) expect(out.at(1, x, y)).toBe(-1);
    }
  });

  it('squashes a wide photo: the right-hand third survives in the right-hand third', async () => {
    const wide = fx.rawImage(300, 100, 3, (x) => (x < 200 ? [0, 0, 0] : [255, 255, 255]));
    const out = await run(fx.encode(wide, 'png'), 6);
    expect([out.at(0, 0, 3), out.at(0, 5, 3)]).toEqual([-1, 1]);
  });

  it('turns a fully transparent pixel white (1.0), as the reference composites onto white', async () => {
    const out = await run(fx.encode(fx.rawImage(1, 1, 4, () => [0, 0, 0, 0]), 'png'));
    expect(new Set(out.pixelValues)).toEqual(new Set([1]));
  });

  it('applies EXIF orientation 6: the stored left edge ends up on top', async () => {
    const out = await run(fx.orientedJpeg(fx.halves(32, 16, [255, 0, 0], [0, 0, 255]), 6));
    expect([out.width, out.height]).toEqual([16, 32]);
    expect(out.at(0, 2, 0)).toBeCloseTo(1, 1);
    expect(out.at(2, 2, 0)).toBeCloseTo(-1, 1);
    expect(out.at(0, 2, 3)).toBeCloseTo(-1, 1);
    expect(out.at(2, 2, 3)).toBeCloseTo(1, 1);
  });

  it('makes gray R = G = B', async () => {
    const out = await run(fx.grayPng(5, 5, 100));
    for (let i = 0; i < 16; i++) {
      expect(out.pixelValues[i]).toBe(Math.fround(normalised(100)));
      expect(out.pixelValues[16 + i]).toBe(out.pixelValues[i]);
      expect(out.pixelValues[32 + i]).toBe(out.pixelValues[i]);
    }
  });

  it('reads mean, std and the rescale factor per channel', async () => {
    const png = await fx.encode(fx.solid(4, 4, [255, 255, 255]), 'png');
    const out = await preprocessImage(png, { ...siglip(2), mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(out.pixelValues[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(out.pixelValues[4]).toBeCloseTo((1 - 0.456) / 0.224, 5);
    expect(out.pixelValues[8]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });
});

/** Every channel value of two 224×224 inputs: the worst and the mean difference, in levels of 255. */
function difference(a: Uint8Array, b: Uint8Array): { worst: number; mean: number } {
  let worst = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    worst = Math.max(worst, d);
    sum += d;
  }
  return { worst, mean: sum / a.length };
}

/** The reference processor's order: the whole image decoded, then squashed bicubic. */
async function fullDecodeSquashed(jpeg: Uint8Array): Promise<Buffer> {
  const full = await sharp(jpeg, { autoOrient: true }).raw().toBuffer({ resolveWithObject: true });
  return sharp(full.data, { raw: full.info }).resize(224, 224, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
}

describe('large JPEGs against the reference processor\'s order (full decode, then squash)', () => {
  const size = { width: 224, height: 224 };

  it('with IMAGE_DECODE_FULL_SIZE, a 12-megapixel JPEG comes out exactly as the reference', async () => {
    const jpeg = await fx.photoLikeJpeg(4000, 3000, 1);
    const out = await decodeBytes(jpeg, { modelInput: size }, { fullSize: true });
    expect(difference(out.modelInput.data, await fullDecodeSquashed(jpeg))).toEqual({ worst: 0, mean: 0 });
  });

  // Shrunk on load to at least 448 px a side, then squashed: measured on the
  // bench's photo set at most 7/255 and 0.21/255 on average (README, Image
  // fidelity). Shrinking straight to 224 px, as libvips would unchecked,
  // moves single values by up to 16/255.
  const shrunk: Array<[number, number]> = [[4000, 3000], [2592, 1944], [1920, 1080]];
  it.each(shrunk)('by default, a %i×%i JPEG stays within 8/255 (mean 0.5/255) of the reference', async (width, height) => {
    const jpeg = await fx.photoLikeJpeg(width, height, 3);
    const out = await decodeBytes(jpeg, { modelInput: size });
    expect([out.width, out.height]).toEqual([width, height]);
    const { worst, mean } = difference(out.modelInput.data, await fullDecodeSquashed(jpeg));
    expect(worst).toBeLessThanOrEqual(8);
    expect(mean).toBeLessThanOrEqual(0.5);
  });

  it('an EXIF-rotated 12-megapixel JPEG is shrunk the right way round', async () => {
    const jpeg = await sharp(await fx.photoLikeJpeg(4000, 3000, 4)).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
    const out = await decodeBytes(jpeg, { modelInput: size });
    expect([out.width, out.height]).toEqual([3000, 4000]);
    const { worst, mean } = difference(out.modelInput.data, await fullDecodeSquashed(jpeg));
    expect(worst).toBeLessThanOrEqual(8);
    expect(mean).toBeLessThanOrEqual(0.5);
  });

  it('a JPEG under four times the model\'s input on one axis is decoded at full size: exactly the reference', async () => {
    const jpeg = await fx.photoLikeJpeg(1600, 850, 5);
    const out = await decodeBytes(jpeg, { modelInput: size });
    expect(difference(out.modelInput.data, await fullDecodeSquashed(jpeg))).toEqual({ worst: 0, mean: 0 });
  });
});

/**
 * Before media/ decoded once, the model's input came from its own sharp
 * pipeline: decode, orient, flatten, squash in one go. The one decode must
 * give the same pixels for every format and for JPEGs too small to shrink on
 * load (large ones are held to the reference above).
 */
describe('the single decode agrees with the former per-consumer pipeline', () => {
  const size = { width: 224, height: 224 };
  const former = (bytes: Uint8Array) =>
    sharp(bytes, { autoOrient: true })
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false })
      .raw()
      .toBuffer();
  const worstDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const photo = () => fx.photoLikeJpeg(900, 700, 5);
  const cases: Array<[string, () => Promise<Uint8Array> | Uint8Array, number]> = [
    ['PNG', async () => sharp(await photo()).png().toBuffer(), 0],
    ['PNG with alpha', async () => sharp(await photo()).ensureAlpha(0.5).png().toBuffer(), 0],
    ['WebP', async () => sharp(await photo()).webp().toBuffer(), 0],
    ['GIF', async () => fx.encode(fx.halves(300, 200, [255, 0, 0], [0, 0, 255]), 'gif'), 0],
    ['CMYK JPEG', async () => sharp(await photo()).toColourspace('cmyk').jpeg().toBuffer(), 0],
    ['JPEG under twice the model size', () => fx.photoLikeJpeg(333, 417, 2), 0],
    ['JPEG, EXIF orientation 3', async () => sharp(await photo()).withMetadata({ orientation: 3 }).jpeg().toBuffer(), 0],
    // libvips turned the image after squashing it; rounding differs by a level or two.
    ['JPEG, EXIF orientation 6', async () => sharp(await photo()).withMetadata({ orientation: 6 }).jpeg().toBuffer(), 2],
  ];
  it.each(cases)('%s', async (_name, make, tolerance) => {
    const bytes = await make();
    const now = await decodeBytes(bytes, { modelInput: size });
    expect(worstDiff(now.modelInput.data, await former(bytes))).toBeLessThanOrEqual(tolerance);
  });
});
