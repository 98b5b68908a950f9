/**
 * media/: bytes to pixels. Content sniffing, image decoding (BMP included),
 * PDF pages rendered in worker threads, thumbnails, and the items (an image,
 * or a PDF's pages) that the ingest and search paths embed.
 */
export { IMAGE_TYPES, isImageType, sniffContentType, type ImageMediaType, type MediaType } from './content-type.ts';
export type { ImageInput } from './image-decode.ts';
export { detectMediaType, withMediaItems, type MediaItem } from './media-items.ts';
export { createPdfRenderer, type PdfDocument, type PdfRenderer, type PdfRendererOptions, type RenderedImage } from './pdf-pages.ts';
export { makeThumbnail, thumbnailFolder, thumbnailKey, type Thumbnail, type ThumbnailOptions } from './thumbnail.ts';
