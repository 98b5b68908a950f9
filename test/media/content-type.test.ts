import { describe, expect, it } from 'vitest';
import { isImageType, sniffContentType } from '../../src/media/index.ts';
import * as fx from '../fixtures/images.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('sniffContentType reads the type from the bytes alone', () => {
  const image = fx.solid(8, 8, [1, 2, 3]);
  it.each([
    ['image/jpeg', () => fx.encode(image, 'jpeg')],
    ['image/png', () => fx.encode(image, 'png')],
    ['image/webp', () => fx.encode(image, 'webp')],
    ['image/gif', () => fx.encode(image, 'gif')],
    ['image/tiff', () => fx.encode(image, 'tiff')],
    ['image/tiff', () => fx.fromRaw(image).tiff({ bigtiff: true }).toBuffer()],
    ['image/avif', () => fx.encode(image, 'avif')],
    ['image/bmp', () => fx.bmp(image, { bitsPerPixel: 24 })],
    ['application/pdf', () => multiPagePdf([[1, 0, 0]])],
  ] as const)('%s', async (type, make) => {
    expect(sniffContentType(await make())).toBe(type);
  });

  it('accepts a PDF header after leading junk, as PDF readers do', () => {
    expect(sniffContentType(text('\r\n  %PDF-1.4\n'))).toBe('application/pdf');
  });

  it.each([
    ['empty', new Uint8Array()],
    ['plain text', text('hello world')],
    ['text that starts with BM', text('BMW parts catalogue 2024')],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['HTML error page', text('<!doctype html><title>404</title>')],
    ['HEIC (ISO-BMFF without an AVIF brand)', Uint8Array.from([0, 0, 0, 24, ...text('ftypheic'), 0, 0, 0, 0, ...text('mif1heic')])],
    ['a lone JPEG start marker', Uint8Array.from([0xff, 0xd8])],
  ])('undefined for %s', (_name, bytes) => {
    expect(sniffContentType(bytes)).toBeUndefined();
  });

  it('finds AVIF among the compatible brands', () => {
    const ftyp = Uint8Array.from([0, 0, 0, 28, ...text('ftypmif1'), 0, 0, 0, 0, ...text('mif1miafavif')]);
    expect(sniffContentType(ftyp)).toBe('image/avif');
  });
});

it('isImageType tells images from PDFs', () => {
  expect(isImageType('image/bmp')).toBe(true);
  expect(isImageType('application/pdf')).toBe(false);
  expect(isImageType(undefined)).toBe(false);
});
