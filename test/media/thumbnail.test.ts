import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ThumbnailOptions } from '../../src/media/index.ts';
import * as fx from '../fixtures/images.ts';
import { decodeBytes, testMedia } from '../fixtures/media.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';
import { testPdfRenderer } from '../fixtures/pdf-renderer.ts';

const MODEL_INPUT = { width: 224, height: 224 };

/** The thumbnail from the one decode that also makes the model's input. */
async function makeThumbnail(bytes: Uint8Array, opts: ThumbnailOptions = {}) {
  const decoded = await decodeBytes(bytes, { modelInput: MODEL_INPUT, thumbnail: opts });
  expect([decoded.modelInput.width, decoded.modelInput.height]).toEqual([224, 224]);
  return decoded.thumbnail!;
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** Whether the JPEG has a baseline (SOF0) frame rather than a progressive (SOF2) one. */
function isBaseline(jpeg: Buffer): boolean {
  return jpeg.includes(Buffer.from([0xff, 0xc0])) && !jpeg.includes(Buffer.from([0xff, 0xc2]));
}

describe('makeThumbnail', () => {
  it('shrinks a wide image to 640 px wide, keeping its aspect, as a baseline JPEG', async () => {
    const png = await fx.encode(fx.solid(1280, 960, [200, 30, 30]), 'png');
    const thumb = await makeThumbnail(png);
    expect([thumb.width, thumb.height, thumb.contentType]).toEqual([640, 480, 'image/jpeg']);
    expect(Array.from(thumb.bytes.subarray(0, 3))).toEqual(JPEG_MAGIC);
    expect(isBaseline(thumb.bytes)).toBe(true);
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([640, 480, 'jpeg']);
  });

  it('a 12-megapixel JPEG, shrunk on load, still fills 640 px, close to a thumbnail of the full-size decode', async () => {
    const jpeg = await fx.photoLikeJpeg(4000, 3000, 6);
    const thumb = await makeThumbnail(jpeg);
    expect([thumb.width, thumb.height]).toEqual([640, 480]);
    const full = await decodeBytes(jpeg, { modelInput: MODEL_INPUT, thumbnail: {} }, { fullSize: true });
    const [a, b] = await Promise.all([thumb.bytes, full.thumbnail!.bytes].map((j) => sharp(j).raw().toBuffer()));
    let sum = 0;
    for (let i = 0; i < a!.length; i++) sum += Math.abs(a![i]! - b![i]!);
    expect(sum / a!.length).toBeLessThan(2);
  });

  it('never upscales: a 300 px image stays 300 px', async () => {
    const thumb = await makeThumbnail(await fx.encode(fx.solid(300, 200, [1, 2, 3]), 'png'));
    expect([thumb.width, thumb.height]).toEqual([300, 200]);
  });

  it('honours a custom width', async () => {
    const thumb = await makeThumbnail(await fx.encode(fx.solid(400, 400, [1, 2, 3]), 'webp'), { width: 100 });
    expect([thumb.width, thumb.height]).toEqual([100, 100]);
  });

  it('applies EXIF orientation', async () => {
    const jpeg = await fx.orientedJpeg(fx.halves(1000, 500, [255, 0, 0], [0, 0, 255]), 6);
    const thumb = await makeThumbnail(jpeg);
    expect([thumb.width, thumb.height]).toEqual([500, 1000]);
  });

  it('puts transparency on white', async () => {
    const clear = await fx.encode(fx.rawImage(10, 10, 4, () => [0, 0, 0, 0]), 'png');
    const thumb = await makeThumbnail(clear);
    const { data } = await sharp(thumb.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(Math.min(...data)).toBeGreaterThanOrEqual(250);
  });

  it('makes a thumbnail of a rendered PDF page', async () => {
    const renderer = testPdfRenderer();
    const media = testMedia({ pdf: renderer });
    const decoded = await media.withItems(multiPagePdf([[0, 0, 1]], [612, 792]), ([page]) => page!.decode({ modelInput: MODEL_INPUT, thumbnail: {} }));
    await renderer.close();
    const thumb = decoded.thumbnail!;
    expect([thumb.width, thumb.height]).toEqual([612, 792]);
  });
});
