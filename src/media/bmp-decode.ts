/**
 * BMP, which sharp cannot read, through decode-bmp. decode-bmp trusts the
 * file too much (it ignores the pixel-data offset and bit masks, and reads a
 * top-down height as four billion rows), so the header is read and checked
 * here first, and decode-bmp is handed a plain BITMAPINFOHEADER rewrite.
 */
import decodeBmpPixels from 'decode-bmp';
import { ErrorCode, SightlineError } from '../errors.ts';

export interface RawRgba {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 4;
}

interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  paletteEntries: number;
  paletteOffset: number;
  pixelOffset: number;
  /** Whether the fourth byte of a 32-bit pixel is alpha rather than padding. */
  hasAlpha: boolean;
}

const FILE_HEADER = 14;
const INFO_HEADER = 40;
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
// The only mask layout decode-bmp reads: bytes in B, G, R, A order.
const BGRA_MASKS = [0x00ff0000, 0x0000ff00, 0x000000ff];

function unsupported(what: string): SightlineError {
  return new SightlineError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `BMP ${what} is not supported`);
}

function corrupt(what: string, details: Record<string, number> = {}): SightlineError {
  return new SightlineError(ErrorCode.CORRUPT_IMAGE, `corrupt BMP: ${what}`, details);
}

function masksAreBgra(view: DataView): boolean {
  return BGRA_MASKS.every((mask, i) => view.getUint32(FILE_HEADER + INFO_HEADER + 4 * i, true) === mask);
}

function readHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < FILE_HEADER + INFO_HEADER) throw corrupt('header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dibSize = view.getUint32(14, true);
  if (dibSize < INFO_HEADER) throw unsupported('with an OS/2 core header');
  const width = view.getInt32(18, true);
  const signedHeight = view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (width <= 0 || signedHeight === 0) throw corrupt('zero or negative width', { width, height: signedHeight });
  if (![1, 2, 4, 8, 24, 32].includes(bitsPerPixel)) throw unsupported(`with ${bitsPerPixel} bits per pixel`);

  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (compression !== BI_RGB && !(bitfields && bitsPerPixel === 32)) throw unsupported(`compression ${compression}`);
  if (bitfields && (bytes.length < FILE_HEADER + INFO_HEADER + 16 || !masksAreBgra(view))) {
    throw unsupported('with bit masks other than BGRA');
  }
  // Following Pillow (the reference processor's decoder): plain 32-bit BI_RGB
  // pixels carry padding, not alpha; only an explicit alpha mask makes it alpha.
  const hasAlphaMask = dibSize >= 56 || compression === BI_ALPHABITFIELDS;
  const hasAlpha = bitfields && hasAlphaMask && view.getUint32(FILE_HEADER + INFO_HEADER + 12, true) === 0xff000000;
  const paletteEntries = bitsPerPixel <= 8 ? view.getUint32(46, true) || 2 ** bitsPerPixel : 0;
  return {
    width,
    height: Math.abs(signedHeight),
    topDown: signedHeight < 0,
    bitsPerPixel,
    paletteEntries,
    paletteOffset: FILE_HEADER + dibSize,
    pixelOffset: view.getUint32(10, true),
    hasAlpha,
  };
}

/** The file decode-bmp reads correctly: 40-byte header, palette, bottom-up pixels. */
function normalisedFile(bytes: Uint8Array, h: BmpHeader): Uint8Array {
  const palette = bytes.subarray(h.paletteOffset, h.paletteOffset + h.paletteEntries * 4);
  const pixels = bytes.subarray(h.pixelOffset);
  if (palette.length !== h.paletteEntries * 4) throw corrupt('palette is truncated');
  const dataOffset = FILE_HEADER + INFO_HEADER + palette.length;
  const out = new Uint8Array(dataOffset + pixels.length);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  view.setUint32(2, out.length, true);
  view.setUint32(10, dataOffset, true);
  view.setUint32(14, INFO_HEADER, true);
  view.setInt32(18, h.width, true);
  view.setInt32(22, h.height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, h.bitsPerPixel, true);
  view.setUint32(46, h.paletteEntries, true);
  out.set(palette, FILE_HEADER + INFO_HEADER);
  out.set(pixels, dataOffset);
  return out;
}

function flipRows(data: Uint8Array, width: number, height: number): void {
  const stride = width * 4;
  const spare = new Uint8Array(stride);
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    spare.set(data.subarray(top * stride, (top + 1) * stride));
    data.copyWithin(top * stride, bottom * stride, (bottom + 1) * stride);
    data.set(spare, bottom * stride);
  }
}

function makeOpaque(data: Uint8Array): void {
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
}

/**
 * Decodes a BMP to RGBA. The size is checked against maxPixels from the
 * header, before any pixel buffer is allocated.
 */
export function decodeBmp(bytes: Uint8Array, maxPixels: number): RawRgba {
  const header = readHeader(bytes);
  const { width, height } = header;
  if (width * height > maxPixels) {
    throw new SightlineError(ErrorCode.IMAGE_TOO_LARGE, `image is ${width}×${height}, over the ${maxPixels}-pixel limit`, {
      width,
      height,
      maxPixels,
    });
  }
  let decoded: { data: Uint8ClampedArray };
  try {
    decoded = decodeBmpPixels(normalisedFile(bytes, header));
  } catch (err) {
    if (err instanceof SightlineError) throw err;
    throw new SightlineError(ErrorCode.CORRUPT_IMAGE, `corrupt BMP: ${(err as Error).message}`, { width, height }, { cause: err });
  }
  const data = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  // decode-bmp was told the rows are bottom-up; a top-down file comes out upside down.
  if (header.topDown) flipRows(data, width, height);
  if (header.bitsPerPixel === 32 && !header.hasAlpha) makeOpaque(data);
  return { data, width, height, channels: 4 };
}
