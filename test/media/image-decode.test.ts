import { describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { decodePixels, type ImageInput } from '../../src/media/image-decode.ts';
import { isImageType, sniffContentType } from '../../src/media/index.ts';
import * as fx from '../fixtures/images.ts';
import { decodeBytes } from '../fixtures/media.ts';

const RED: fx.Rgb = [255, 0, 0];
const BLUE: fx.Rgb = [0, 0, 255];
/** Bytes typed the way media/ sniffs them, before any decode. */
const encoded = (bytes: Uint8Array): ImageInput => {
  const type = sniffContentType(bytes);
  if (!isImageType(type)) throw new Error(`test image sniffed as ${type}`);
  return { kind: 'encoded', bytes, type };
};

/** Full-size decoded RGB pixels: what the model's input and the thumbnail are both resized from. */
async function decode(input: ImageInput, maxPixels = 100_000_000) {
  const out = await decodePixels(input, maxPixels);
  const info = { width: out.width, height: out.height, channels: out.data.length / (out.width * out.height) };
  const pixel = (x: number, y: number) => Array.from(out.data.subarray((y * out.width + x) * 3, (y * out.width + x) * 3 + 3));
  return { ...out, info, pixel };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SightlineError);
  return (err as SightlineError).code;
}

const near = (actual: number[], expected: number[], tolerance: number) =>
  actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);

describe('every format we claim decodes to 8-bit sRGB', () => {
  const image = fx.halves(64, 32, RED, BLUE);
  const cases: Array<[string, () => Promise<Uint8Array> | Uint8Array, number]> = [
    ['JPEG', () => fx.encode(image, 'jpeg'), 4],
    ['PNG', () => fx.encode(image, 'png'), 0],
    ['WebP', () => fx.encode(image, 'webp'), 0],
    ['GIF', () => fx.encode(image, 'gif'), 0],
    ['TIFF', () => fx.encode(image, 'tiff'), 0],
    ['AVIF', () => fx.encode(image, 'avif'), 2],
    ['BMP 24-bit', () => fx.bmp(image, { bitsPerPixel: 24 }), 0],
    ['BMP 32-bit', () => fx.bmp(image, { bitsPerPixel: 32 }), 0],
    ['BMP 32-bit, fourth byte padding', () => fx.bmp(image, { bitsPerPixel: 32, fourthByte: 'padding' }), 0],
    ['BMP top-down', () => fx.bmp(image, { bitsPerPixel: 24, topDown: true }), 0],
    ['palette PNG', () => fx.palettePng(image), 0],
    ['16-bit PNG', () => fx.png16(image), 0],
  ];
  it.each(cases)('%s', async (_name, make, tolerance) => {
    const out = await decode(encoded(await make()));
    expect([out.width, out.height, out.info.channels]).toEqual([64, 32, 3]);
    expect(near(out.pixel(2, 2), RED, tolerance)).toBe(true);
    expect(near(out.pixel(61, 29), BLUE, tolerance)).toBe(true);
  });

  it('CMYK JPEG comes out as RGB close to the original colours', async () => {
    const out = await decode(encoded(await fx.cmykJpeg(image)));
    expect(out.info.channels).toBe(3);
    const [r, g, b] = out.pixel(2, 2);
    expect(r).toBeGreaterThan(200);
    expect(Math.max(g!, b!)).toBeLessThan(60);
  });

  it('grayscale becomes R = G = B', async () => {
    const out = await decode(encoded(await fx.grayPng(5, 5, 100)));
    expect(out.pixel(3, 3)).toEqual([100, 100, 100]);
  });

  it('an animated GIF gives its first frame', async () => {
    const out = await decode(encoded(await fx.animatedGif(8, 8, [[0, 255, 0], RED, BLUE])));
    expect([out.width, out.height]).toEqual([8, 8]);
    expect(out.pixel(4, 4)).toEqual([0, 255, 0]);
  });

  it('BMP rows stored top-down keep their top at the top', async () => {
    const topRed = fx.rawImage(8, 8, 3, (_x, y) => (y < 4 ? RED : BLUE));
    const out = await decode(encoded(fx.bmp(topRed, { bitsPerPixel: 24, topDown: true })));
    expect(out.pixel(0, 0)).toEqual(RED);
    expect(out.pixel(0, 7)).toEqual(BLUE);
  });

  it('a raw page render passes through unchanged', async () => {
    const out = await decode({ kind: 'raw', ...fx.solid(3, 2, [10, 20, 30]) });
    expect(out.pixel(2, 1)).toEqual([10, 20, 30]);
  });
});

describe('alpha is flattened onto white', () => {
  it('in PNG', async () => {
    const out = await decode(encoded(await fx.encode(fx.rawImage(2, 1, 4, (x) => (x === 0 ? [0, 0, 0, 0] : [0, 0, 0, 255])), 'png')));
    expect(out.pixel(0, 0)).toEqual([255, 255, 255]);
    expect(out.pixel(1, 0)).toEqual([0, 0, 0]);
  });

  it('in a 32-bit BMP with an alpha mask', async () => {
    const image = fx.rawImage(2, 1, 4, (x) => (x === 0 ? [255, 0, 0, 0] : [255, 0, 0, 255]));
    const out = await decode(encoded(fx.bmp(image, { bitsPerPixel: 32 })));
    expect(out.pixel(0, 0)).toEqual([255, 255, 255]);
    expect(out.pixel(1, 0)).toEqual(RED);
  });
});

it('EXIF orientation is applied, and the reported size is the displayed one', async () => {
  // Orientation 6: the stored left edge is displayed at the top.
  const out = await decode(encoded(await fx.orientedJpeg(fx.halves(32, 16, RED, BLUE), 6)));
  expect([out.width, out.height, out.info.width, out.info.height]).toEqual([16, 32, 16, 32]);
  expect(near(out.pixel(8, 2), RED, 4)).toBe(true);
  expect(near(out.pixel(8, 29), BLUE, 4)).toBe(true);
});

describe('bad input gets a stable code', () => {
  const text = (s: string) => new TextEncoder().encode(s);

  // Sniffing (media-items) refuses these before any decoder sees them.
  const sniffAndDecode = (bytes: Uint8Array) => decodeBytes(bytes, { modelInput: { width: 4, height: 4 } });

  it('EMPTY_INPUT for zero bytes', async () => {
    expect(await codeOf(sniffAndDecode(new Uint8Array()))).toBe(ErrorCode.EMPTY_INPUT);
    expect(await codeOf(decode({ kind: 'encoded', bytes: new Uint8Array(), type: 'image/png' }))).toBe(ErrorCode.EMPTY_INPUT);
  });

  it.each([
    ['plain text', text('hello, world')],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')],
  ])('UNSUPPORTED_MEDIA_TYPE for %s', async (_name, bytes) => {
    expect(await codeOf(sniffAndDecode(bytes))).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
  });

  it('UNSUPPORTED_MEDIA_TYPE for a 16-bit BMP', async () => {
    const b = fx.bmp(fx.solid(2, 2, RED), { bitsPerPixel: 24 });
    new DataView(b.buffer).setUint16(28, 16, true);
    expect(await codeOf(decode(encoded(b)))).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
  });

  const image = fx.halves(64, 48, RED, BLUE);
  it.each(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const)('CORRUPT_IMAGE for truncated %s', async (format) => {
    const bytes = await fx.encode(image, format);
    expect(await codeOf(decode(encoded(bytes.subarray(0, Math.floor(bytes.length * 0.6)))))).toBe(ErrorCode.CORRUPT_IMAGE);
  });

  it('CORRUPT_IMAGE for a truncated JPEG-compressed TIFF (which would otherwise decode as black)', async () => {
    const bytes = await fx.fromRaw(image).tiff({ compression: 'jpeg' }).toBuffer();
    expect(await codeOf(decode(encoded(bytes.subarray(0, Math.floor(bytes.length * 0.6)))))).toBe(ErrorCode.CORRUPT_IMAGE);
  });

  it('CORRUPT_IMAGE for a truncated BMP', async () => {
    const bytes = fx.bmp(image, { bitsPerPixel: 24 });
    expect(await codeOf(decode(encoded(bytes.subarray(0, bytes.length - 100))))).toBe(ErrorCode.CORRUPT_IMAGE);
  });

  it('CORRUPT_IMAGE for a valid signature followed by garbage', async () => {
    const bytes = new Uint8Array(200).map((_, i) => (i * 37) % 256);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await codeOf(decode(encoded(bytes)))).toBe(ErrorCode.CORRUPT_IMAGE);
  });

  it('only coded errors, never a crash, for damaged files', async () => {
    const original = await fx.encode(fx.halves(32, 32, RED, BLUE), 'png');
    const codes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const damaged = Uint8Array.from(original);
      for (let k = 0; k < 4; k++) {
        const at = (i * 7919 + k * 104729) % damaged.length;
        damaged[at] = damaged[at]! ^ 0x5a;
      }
      await sniffAndDecode(damaged).then(
        () => codes.add('decoded'),
        (e: unknown) => codes.add(e instanceof SightlineError ? e.code : `uncoded: ${String(e)}`),
      );
    }
    for (const code of codes) expect(['decoded', ErrorCode.CORRUPT_IMAGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE]).toContain(code);
  });
});

describe('IMAGE_TOO_LARGE is decided from the header', () => {
  it('refuses a 30000×30000 PNG bomb from its header, without allocating it', async () => {
    const bomb = fx.pngBomb();
    expect(bomb.length).toBeLessThan(500_000);
    const rssBefore = process.memoryUsage().rss;
    const err = await decode(encoded(bomb)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SightlineError);
    expect((err as SightlineError).code).toBe(ErrorCode.IMAGE_TOO_LARGE);
    expect((err as SightlineError).details).toMatchObject({ width: 30000, height: 30000, maxPixels: 100_000_000 });
    // A memory bound, not a benchmark: decoding it would take 900 MB of gray pixels, 2.7 GB as RGB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses an oversized BMP before decoding its pixels', async () => {
    const header = fx.bmp(fx.solid(1, 1, RED), { bitsPerPixel: 24 });
    const view = new DataView(header.buffer);
    view.setInt32(18, 30000, true);
    view.setInt32(22, 30000, true);
    const err = (await decode(encoded(header)).catch((e: unknown) => e)) as SightlineError;
    expect(err.code).toBe(ErrorCode.IMAGE_TOO_LARGE);
    expect(err.details).toMatchObject({ width: 30000, height: 30000 });
  });

  it('applies the configured limit to ordinary images and raw renders', async () => {
    const png = await fx.encode(fx.solid(20, 10, RED), 'png');
    expect(await codeOf(decode(encoded(png), 199))).toBe(ErrorCode.IMAGE_TOO_LARGE);
    expect(await codeOf(decode({ kind: 'raw', ...fx.solid(20, 10, RED) }, 199))).toBe(ErrorCode.IMAGE_TOO_LARGE);
    await expect(decode(encoded(png), 200)).resolves.toMatchObject({ width: 20, height: 10 });
  });
});
