/**
 * Turns fetched bytes into the images to embed: an image is one item, a PDF
 * one item per page (each rendered only while it is being used). The content
 * type comes from the bytes, never from a file name or a Content-Type header.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import type { ImageInput } from './image-decode.ts';
import { isImageType, sniffContentType, type MediaType } from './content-type.ts';
import type { PdfRenderer } from './pdf-pages.ts';

export interface MediaItem {
  contentType: MediaType;
  /** 1-based; only for PDF pages. */
  pageNumber?: number;
  totalPages?: number;
  /**
   * Runs `use` with the item's image: the bytes as they came, or a PDF page
   * rendered for this call, which counts among the rendered pages that may
   * exist at once until `use` settles.
   */
  withInput<T>(use: (input: ImageInput) => Promise<T>): Promise<T>;
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

/**
 * Runs `use` with the media's items in order; a PDF is closed when `use`
 * settles. `signal` stands for the request, whose PDF pages take their turn.
 */
export async function withMediaItems<T>(
  bytes: Uint8Array,
  pdf: PdfRenderer,
  use: (items: MediaItem[]) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const contentType = detectMediaType(bytes);
  if (isImageType(contentType)) {
    const input: ImageInput = { kind: 'encoded', bytes };
    return use([{ contentType, withInput: (useInput) => useInput(input) }]);
  }
  const doc = await pdf.open(bytes, signal);
  try {
    const { totalPages } = doc;
    const pages = Array.from({ length: totalPages }, (_, i): MediaItem => ({
      contentType,
      pageNumber: i + 1,
      totalPages,
      withInput: (useInput) => doc.withPage(i + 1, useInput),
    }));
    return await use(pages);
  } finally {
    doc.close();
  }
}
