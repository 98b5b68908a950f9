/**
 * Thumbnails: a JPEG at most 640 px wide, aspect kept and never upscaled,
 * made from the same decoded pixels as the model's input (EXIF orientation,
 * alpha on white).
 */
import sharp, { type Sharp } from 'sharp';

export interface ThumbnailOptions {
  /** Largest width in pixels; narrower images keep their size. @default 640 */
  width?: number;
  /** JPEG quality, 1 to 100. @default 85 */
  quality?: number;
}

export interface Thumbnail {
  bytes: Buffer;
  width: number;
  height: number;
  contentType: 'image/jpeg';
}

/** Where a document's thumbnail is stored: one folder per collection, so a collection's go together. */
export function thumbnailKey(collection: string, documentId: string): string {
  return `${thumbnailFolder(collection)}/${documentId}.jpg`;
}

export function thumbnailFolder(collection: string): string {
  return collection;
}

/** The widest a thumbnail made with `opts` can be: the decode must keep at least this many columns. */
export function thumbnailWidth(opts: ThumbnailOptions): number {
  return opts.width ?? 640;
}

/** The pipeline from packed RGB to the thumbnail's JPEG; the decoder runs it. */
export function thumbnailPipeline(rgb: { data: Uint8Array; width: number; height: number }, opts: ThumbnailOptions): Sharp {
  const width = thumbnailWidth(opts);
  const { quality = 85 } = opts;
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .resize({ width, withoutEnlargement: true })
    .jpeg({
      quality,
      // Baseline, so browsers paint it top-down in one pass. mozjpeg's
      // trellis quantisation and table 3 are kept; its `mozjpeg: true` preset
      // would force progressive scans.
      progressive: false,
      trellisQuantisation: true,
      overshootDeringing: true,
      quantisationTable: 3,
    });
}
