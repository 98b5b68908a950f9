/**
 * The PDF adapter: MuPDF (WASM) renders each page at 72 DPI, the resolution
 * the reference pipeline uses. Pages are rendered one at a time, on demand,
 * so a 200-page PDF never sits in memory as 200 images.
 *
 * MuPDF runs synchronously on the calling thread; one page at 72 DPI takes
 * milliseconds for ordinary documents.
 */
import * as mupdf from 'mupdf';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { ImageInput } from '../extractor/image-decode.ts';

export interface PdfLimits {
  /** Documents with more pages are refused whole (PDF_TOO_MANY_PAGES). */
  maxPages: number;
  /** A page whose 72-DPI render would exceed this many pixels is refused. */
  maxPixels: number;
}

export interface PdfDocument {
  readonly totalPages: number;
  /** Renders one page (numbered from 1) to packed RGB at 72 DPI. */
  renderPage(pageNumber: number): Extract<ImageInput, { kind: 'raw' }>;
  /** Frees MuPDF's memory; the document is unusable afterwards. */
  close(): void;
}

// MuPDF prints its warnings (e.g. "repairing PDF document") as plain text on
// stderr, which would break the JSON-lines log; its errors still reach us as
// exceptions, which become coded errors below.
mupdf.setLog(null);

function corruptPdf(err: unknown, details: Record<string, number> = {}): SightlineError {
  const reason = err instanceof Error ? err.message : String(err);
  return new SightlineError(ErrorCode.CORRUPT_PDF, `cannot read PDF: ${reason}`, details, { cause: err });
}

function openDocument(bytes: Uint8Array): { doc: mupdf.Document; totalPages: number } {
  let doc: mupdf.Document | undefined;
  try {
    doc = mupdf.Document.openDocument(bytes, 'application/pdf');
    if (doc.needsPassword()) {
      doc.destroy();
      throw new SightlineError(ErrorCode.PDF_ENCRYPTED, 'the PDF is encrypted and needs a password');
    }
    return { doc, totalPages: doc.countPages() };
  } catch (err) {
    if (err instanceof SightlineError) throw err;
    doc?.destroy();
    throw corruptPdf(err);
  }
}

function renderPage(doc: mupdf.Document, pageNumber: number, maxPixels: number): Extract<ImageInput, { kind: 'raw' }> {
  let page: mupdf.Page | undefined;
  let pixmap: mupdf.Pixmap | undefined;
  try {
    page = doc.loadPage(pageNumber - 1);
    // At 72 DPI one PDF point is one pixel, so the bounds give the render size
    // before anything is allocated.
    const [x0, y0, x1, y1] = page.getBounds();
    const width = Math.ceil(x1 - x0);
    const height = Math.ceil(y1 - y0);
    if (width * height > maxPixels) {
      throw new SightlineError(
        ErrorCode.IMAGE_TOO_LARGE,
        `page ${pageNumber} renders at ${width}×${height}, over the ${maxPixels}-pixel limit`,
        { pageNumber, width, height, maxPixels },
      );
    }
    pixmap = page.toPixmap(mupdf.Matrix.identity, mupdf.ColorSpace.DeviceRGB, false);
    return packedRgb(pixmap);
  } catch (err) {
    if (err instanceof SightlineError) throw err;
    throw corruptPdf(err, { pageNumber });
  } finally {
    pixmap?.destroy();
    page?.destroy();
  }
}

/** Copies the pixmap out of WASM memory, dropping any row padding. */
function packedRgb(pixmap: mupdf.Pixmap): Extract<ImageInput, { kind: 'raw' }> {
  const width = pixmap.getWidth();
  const height = pixmap.getHeight();
  const stride = pixmap.getStride();
  const pixels = pixmap.getPixels();
  const data = new Uint8Array(width * height * 3);
  if (stride === width * 3) {
    data.set(pixels.subarray(0, data.length));
  } else {
    for (let y = 0; y < height; y++) data.set(pixels.subarray(y * stride, y * stride + width * 3), y * width * 3);
  }
  return { kind: 'raw', data, width, height, channels: 3 };
}

/** Opens a PDF for page-by-page rendering; close() it when done. */
export function openPdf(bytes: Uint8Array, limits: PdfLimits): PdfDocument {
  if (bytes.length === 0) throw new SightlineError(ErrorCode.EMPTY_INPUT, 'the PDF is empty (0 bytes)');
  const { doc, totalPages } = openDocument(bytes);
  if (totalPages > limits.maxPages) {
    doc.destroy();
    throw new SightlineError(
      ErrorCode.PDF_TOO_MANY_PAGES,
      `the PDF has ${totalPages} pages, over the limit of ${limits.maxPages}`,
      { totalPages, maxPages: limits.maxPages },
    );
  }
  if (totalPages === 0) {
    doc.destroy();
    throw new SightlineError(ErrorCode.CORRUPT_PDF, 'the PDF has no pages');
  }
  let closed = false;
  return {
    totalPages,
    renderPage(pageNumber) {
      if (closed) throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, 'PDF document used after close()');
      if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > totalPages) {
        throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `page ${pageNumber} is not in 1..${totalPages}`, {
          pageNumber,
          totalPages,
        });
      }
      return renderPage(doc, pageNumber, limits.maxPixels);
    },
    close() {
      if (closed) return;
      closed = true;
      doc.destroy();
    },
  };
}
