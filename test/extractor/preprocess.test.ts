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

it('a 12-megapixel JPEG comes out exactly as a full decode squashed afterwards, the reference processor\'s order', async () => {
  const jpeg = await fx.photoLikeJpeg(4000, 3000, 1);
  const full = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const reference = await sharp(full.data, { raw: full.info })
    .resize(224, 224, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  const out = await preprocessImage(jpeg, siglip(224));
  let worst = 0;
  const plane = 224 * 224;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const level = (out.pixelValues[c * plane + i]! * 0.5 + 0.5) * 255;
      worst = Math.max(worst, Math.abs(level - reference[i * 3 + c]!));
    }
  }
  // float32 round trip of the normalisation only.
  expect(worst).toBeLessThan(1e-3);
});

/**
 * Before media/ decoded once, the model's input came from its own sharp
 * pipeline: decode, orient, flatten, squash in one go, where libvips may
 * shrink a large JPEG while decoding it. The one decode must give the same
 * pixels where that pipeline did no such shrinking, and stay within the
 * 8/255 that pipeline itself kept from a full decode where it did.
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
    ['12-megapixel JPEG', () => fx.photoLikeJpeg(4000, 3000, 1), 8],
  ];
  it.each(cases)('%s', async (_name, make, tolerance) => {
    const bytes = await make();
    const now = await decodeBytes(bytes, { modelInput: size });
    expect(worstDiff(now.modelInput.data, await former(bytes))).toBeLessThanOrEqual(tolerance);
  });
});
