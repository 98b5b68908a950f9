/**
 * Thumbnails: a JPEG at most 640 px wide, aspect kept and never upscaled,
 * decoded exactly as for embedding (EXIF orientation, alpha on white).
 */
import { processImage, type ImageInput } from './image-decode.ts';

export interface ThumbnailOptions {
  /** Largest width in pixels; narrower images keep their size. @default 640 */
  width?: number;
  /** JPEG quality, 1 to 100. @default 85 */
  quality?: number;
  /** Sources over this many pixels are refused (IMAGE_TOO_LARGE). @default 100_000_000 */
  maxPixels?: number;
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

export async function makeThumbnail(input: ImageInput, opts: ThumbnailOptions = {}): Promise<Thumbnail> {
  const { width = 640, quality = 85, maxPixels = 100_000_000 } = opts;
  const out = await processImage(input, { maxPixels }, (pipeline) =>
    pipeline.resize({ width, withoutEnlargement: true }).jpeg({
      quality,
      // Baseline, so browsers paint it top-down in one pass. mozjpeg's
      // trellis quantisation and table 3 are kept; its `mozjpeg: true` preset
      // would force progressive scans.
      progressive: false,
      trellisQuantisation: true,
      overshootDeringing: true,
      quantisationTable: 3,
    }),
  );
  return { bytes: out.data, width: out.info.width, height: out.info.height, contentType: 'image/jpeg' };
}
