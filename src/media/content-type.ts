/**
 * Content sniffing from magic bytes. File names and Content-Type headers are
 * never consulted: servers mislabel, and a type taken from the bytes is the
 * only one a decoder can be held to.
 */

export const IMAGE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/bmp',
  'image/gif',
  'image/tiff',
  'image/avif',
] as const;

export type ImageMediaType = (typeof IMAGE_TYPES)[number];
export type MediaType = ImageMediaType | 'application/pdf';

const imageTypes: ReadonlySet<string> = new Set(IMAGE_TYPES);

export function isImageType(type: MediaType | undefined): type is ImageMediaType {
  return type !== undefined && imageTypes.has(type);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((b, i) => bytes[offset + i] === b);
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function readUint32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

// "BM" alone is too weak (plain text can start with it): the DIB header size
// must also be one of the sizes the BMP variants define.
const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function isBmp(bytes: Uint8Array): boolean {
  return startsWith(bytes, ascii('BM')) && bytes.length >= 18 && BMP_DIB_HEADER_SIZES.has(readUint32LE(bytes, 14));
}

const AVIF_BRANDS = new Set(['avif', 'avis']);

// AVIF is an ISO-BMFF file whose ftyp box names an AVIF brand, as major brand
// or among the compatible ones (HEIC files share the box but not the brand).
function isAvif(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, ascii('ftyp'), 4)) return false;
  const boxEnd = Math.min(readUint32BE(bytes, 0), bytes.length);
  const brandAt = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (AVIF_BRANDS.has(brandAt(8))) return true;
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) {
    if (AVIF_BRANDS.has(brandAt(offset))) return true;
  }
  return false;
}

// Readers accept "%PDF-" anywhere in the first 1024 bytes, so producers rely on it.
function isPdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).includes('%PDF-');
}

const signatures: ReadonlyArray<[MediaType, (bytes: Uint8Array) => boolean]> = [
  ['image/jpeg', (b) => startsWith(b, [0xff, 0xd8, 0xff])],
  ['image/png', (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ['image/gif', (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))],
  ['image/webp', (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)],
  // Classic TIFF (42) and BigTIFF (43), in either byte order.
  [
    'image/tiff',
    (b) =>
      startsWith(b, [0x49, 0x49, 0x2a, 0x00]) ||
      startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) ||
      startsWith(b, [0x49, 0x49, 0x2b, 0x00]) ||
      startsWith(b, [0x4d, 0x4d, 0x00, 0x2b]),
  ],
  ['image/bmp', isBmp],
  ['image/avif', isAvif],
  ['application/pdf', isPdf],
];

/** The media type the bytes announce, or undefined when they match none we read. */
export function sniffContentType(bytes: Uint8Array): MediaType | undefined {
  return signatures.find(([, matches]) => matches(bytes))?.[0];
}
