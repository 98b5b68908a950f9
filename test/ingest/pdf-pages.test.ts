import { describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { openPdf } from '../../src/ingest/pdf-pages.ts';
import { encryptedPdf, multiPagePdf, truncatedPdf } from '../fixtures/pdfs.ts';

const limits = { maxPages: 200, maxPixels: 100_000_000 };

function thrown(fn: () => unknown): SightlineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SightlineError);
    return err as SightlineError;
  }
  throw new Error('expected an error');
}

describe('openPdf renders each page at 72 DPI, one at a time', () => {
  it('gives the page count and each page in its own colour, sized in points', () => {
    const pdf = openPdf(multiPagePdf([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [200, 100]), limits);
    try {
      expect(pdf.totalPages).toBe(3);
      const expected = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ];
      for (let page = 1; page <= 3; page++) {
        const image = pdf.renderPage(page);
        expect([image.width, image.height, image.channels]).toEqual([200, 100, 3]);
        expect(image.data.length).toBe(200 * 100 * 3);
        const centre = (50 * 200 + 100) * 3;
        expect(Array.from(image.data.subarray(centre, centre + 3))).toEqual(expected[page - 1]);
      }
    } finally {
      pdf.close();
    }
  });

  it('renders pages in any order, on demand', () => {
    const pdf = openPdf(multiPagePdf([[1, 0, 0], [0, 0, 1]]), limits);
    expect(pdf.renderPage(2).data.subarray(0, 3)).toEqual(Uint8Array.from([0, 0, 255]));
    expect(pdf.renderPage(1).data.subarray(0, 3)).toEqual(Uint8Array.from([255, 0, 0]));
    pdf.close();
  });

  it('refuses page numbers outside the document as a bug (internal), not as the caller\'s mistake', () => {
    const pdf = openPdf(multiPagePdf([[1, 0, 0]]), limits);
    expect(thrown(() => pdf.renderPage(0)).code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    expect(thrown(() => pdf.renderPage(2)).code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    pdf.close();
  });
});

describe('bad PDFs get a stable code', () => {
  it('PDF_ENCRYPTED when a password is needed', () => {
    expect(thrown(() => openPdf(encryptedPdf(), limits)).code).toBe(ErrorCode.PDF_ENCRYPTED);
  });

  it('CORRUPT_PDF for a truncated file', () => {
    expect(thrown(() => openPdf(truncatedPdf(), limits)).code).toBe(ErrorCode.CORRUPT_PDF);
  });

  it('CORRUPT_PDF for bytes that are not a PDF', () => {
    expect(thrown(() => openPdf(new TextEncoder().encode('%PDF-1.7 and nothing else'), limits)).code).toBe(
      ErrorCode.CORRUPT_PDF,
    );
  });

  it('EMPTY_INPUT for zero bytes', () => {
    expect(thrown(() => openPdf(new Uint8Array(), limits)).code).toBe(ErrorCode.EMPTY_INPUT);
  });

  it('PDF_TOO_MANY_PAGES over the page cap, saying both counts', () => {
    const err = thrown(() => openPdf(multiPagePdf([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), { ...limits, maxPages: 2 }));
    expect(err.code).toBe(ErrorCode.PDF_TOO_MANY_PAGES);
    expect(err.details).toEqual({ totalPages: 3, maxPages: 2 });
  });

  it('IMAGE_TOO_LARGE for a page whose render exceeds the pixel limit, before rendering it', () => {
    const pdf = openPdf(multiPagePdf([[1, 0, 0]], [14_400, 14_400]), { ...limits, maxPixels: 1_000_000 });
    const err = thrown(() => pdf.renderPage(1));
    expect(err.code).toBe(ErrorCode.IMAGE_TOO_LARGE);
    expect(err.details).toMatchObject({ pageNumber: 1, width: 14_400, height: 14_400 });
    pdf.close();
  });
});
