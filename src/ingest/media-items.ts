/**
 * Turns fetched bytes into the images to embed: an image is one item, a PDF
 * one item per page (rendered lazily, page by page). The content type comes
 * from the bytes, never from a file name or a Content-Type header.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import type { ImageInput } from '../extractor/image-decode.ts';
import { isImageType, sniffContentType, type MediaType } from './content-type.ts';
import { openPdf } from './pdf-pages.ts';

export interface MediaItem {
  input: ImageInput;
  contentType: MediaType;
  /** 1-based; only for PDF pages. */
  pageNumber?: number;
  totalPages?: number;
}

export interface MediaLimits {
  maxPages: number;
  maxPixels: number;
}

export function detectMediaType(bytes: Uint8Array): MediaType {
  if (bytes.length === 0) throw new SightlineError(ErrorCode.EMPTY_INPUT, 'the source is empty (0 bytes)');
  const type = sniffContentType(bytes);
  if (type === undefined) {
    throw new SightlineError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      'not a supported image or PDF (JPEG, PNG, WebP, BMP, GIF, TIFF, AVIF, PDF)',
    );
  }
  return type;
}

/** Yields the media's images in order; a PDF's pages are rendered one at a time. */
export function* mediaItems(bytes: Uint8Array, limits: MediaLimits): Generator<MediaItem> {
  const contentType = detectMediaType(bytes);
  if (isImageType(contentType)) {
    yield { input: { kind: 'encoded', bytes }, contentType };
    return;
  }
  const pdf = openPdf(bytes, limits);
  try {
    for (let page = 1; page <= pdf.totalPages; page++) {
      yield { input: pdf.renderPage(page), contentType, pageNumber: page, totalPages: pdf.totalPages };
    }
  } finally {
    pdf.close();
  }
}
