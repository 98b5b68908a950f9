/**
 * Turns fetched bytes into the images to embed: an image is one item, a PDF
 * one item per page (each rendered only while it is being decoded). The
 * content type is sniffed here, once, from the bytes, never from a file name
 * or a Content-Type header; the decoder is handed the type and trusts it.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { isImageType, sniffContentType, type MediaType } from './content-type.ts';
import type { DecodedImage, DecodeRequest, ImageDecoder } from './image-decode.ts';
import type { PdfRenderer } from './pdf-pages.ts';

export interface MediaItem {
  contentType: MediaType;
  /** 1-based; only for PDF pages. */
  pageNumber?: number;
  totalPages?: number;
  /**
   * Decodes the item once (a PDF page is rendered for this call and dropped
   * after it) into the model's input and, when asked, the thumbnail.
   */
  decode(want: DecodeRequest): Promise<DecodedImage>;
}

export interface Media {
  /**
   * Runs `use` with the media's items in order; a PDF is closed when `use`
   * settles. `signal` stands for the request, whose pages and decodes take
   * their turn. EMPTY_INPUT, UNSUPPORTED_MEDIA_TYPE, and the PDF's errors.
   */
  withItems<T>(bytes: Uint8Array, use: (items: MediaItem[]) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

function detectMediaType(bytes: Uint8Array): MediaType {
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

export function createMedia(adapters: { decoder: ImageDecoder; pdf: PdfRenderer }): Media {
  const { decoder, pdf } = adapters;
  return {
    async withItems(bytes, use, signal) {
      const contentType = detectMediaType(bytes);
      if (isImageType(contentType)) {
        const input = { kind: 'encoded', bytes, type: contentType } as const;
        return use([{ contentType, decode: (want) => decoder.decode(input, want, signal) }]);
      }
      const doc = await pdf.open(bytes, signal);
      try {
        const { totalPages } = doc;
        const pages = Array.from({ length: totalPages }, (_, i): MediaItem => ({
          contentType,
          pageNumber: i + 1,
          totalPages,
          decode: (want) => doc.withPage(i + 1, (page) => decoder.decode(page, want, signal)),
        }));
        return await use(pages);
      } finally {
        doc.close();
      }
    },
  };
}
