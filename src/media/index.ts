/**
 * media/: bytes to pixels. Content sniffing (once per source), decoding
 * (once per image, BMP included) into the model's input and the thumbnail,
 * and PDF pages rendered in worker threads.
 */
export { isImageType, sniffContentType, type ImageMediaType, type MediaType } from './content-type.ts';
export { createImageDecoder, type DecodedImage, type DecodeRequest, type ImageDecoder, type ImageInput } from './image-decode.ts';
export { embedItem, type EmbeddedItem } from './embed-item.ts';
export { createMedia, type Media, type MediaItem } from './media-items.ts';
export { createPdfRenderer, type PdfDocument, type PdfRenderer, type PdfRendererOptions } from './pdf-pages.ts';
export { thumbnailFolder, thumbnailKey, type Thumbnail, type ThumbnailOptions } from './thumbnail.ts';
