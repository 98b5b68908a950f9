import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import type { PdfDocument } from '../../src/media/index.ts';
import { testPdfRenderer } from '../fixtures/pdf-renderer.ts';
import { encryptedPdf, formXObjectBombPdf, giantPagesPdf, multiPagePdf, truncatedPdf } from '../fixtures/pdfs.ts';

const renderer = testPdfRenderer();
afterAll(() => renderer.close());

async function refusal(work: Promise<unknown>): Promise<SightlineError> {
  const err = await work.then(
    () => new Error('expected an error'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SightlineError);
  return err as SightlineError;
}

/** The page's size and the RGB at its centre. */
const sizeAndCentre = (doc: PdfDocument, page: number) =>
  doc.withPage(page, async ({ data, width, height, channels }) => {
    const centre = (Math.floor(height / 2) * width + Math.floor(width / 2)) * channels;
    return { width, height, channels, bytes: data.length, centre: Array.from(data.subarray(centre, centre + 3)) };
  });

describe('PDF pages render in worker threads at 72 DPI, one at a time', () => {
  it('gives the page count and each page in its own colour, sized in points', async () => {
    const doc = await renderer.open(multiPagePdf([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [200, 100]));
    try {
      expect(doc.totalPages).toBe(3);
      const colours = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ];
      for (let page = 1; page <= 3; page++) {
        expect(await sizeAndCentre(doc, page)).toEqual({ width: 200, height: 100, channels: 3, bytes: 200 * 100 * 3, centre: colours[page - 1] });
      }
    } finally {
      doc.close();
    }
  });

  it('renders pages in any order, on demand, and many documents at once', async () => {
    const docs = await Promise.all([0, 1, 2, 3].map(() => renderer.open(multiPagePdf([[1, 0, 0], [0, 0, 1]]))));
    const centres = await Promise.all(docs.flatMap((doc) => [2, 1].map(async (page) => (await sizeAndCentre(doc, page)).centre)));
    expect(centres).toEqual(Array.from({ length: 4 }, () => [[0, 0, 255], [255, 0, 0]]).flat());
    docs.forEach((doc) => doc.close());
  });

  it('refuses page numbers outside the document as a bug (internal), not as the caller\'s mistake', async () => {
    const doc = await renderer.open(multiPagePdf([[1, 0, 0]]));
    expect((await refusal(sizeAndCentre(doc, 0))).code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    expect((await refusal(sizeAndCentre(doc, 2))).code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    doc.close();
  });
});

describe('bad PDFs get a stable code', () => {
  it('PDF_ENCRYPTED when a password is needed', async () => {
    expect((await refusal(renderer.open(encryptedPdf()))).code).toBe(ErrorCode.PDF_ENCRYPTED);
  });

  it('CORRUPT_PDF for a truncated file', async () => {
    expect((await refusal(renderer.open(truncatedPdf()))).code).toBe(ErrorCode.CORRUPT_PDF);
  });

  it('CORRUPT_PDF for bytes that are not a PDF', async () => {
    expect((await refusal(renderer.open(new TextEncoder().encode('%PDF-1.7 and nothing else')))).code).toBe(ErrorCode.CORRUPT_PDF);
  });

  it('EMPTY_INPUT for zero bytes', async () => {
    expect((await refusal(renderer.open(new Uint8Array()))).code).toBe(ErrorCode.EMPTY_INPUT);
  });

  it('PDF_TOO_MANY_PAGES over the page cap, saying both counts', async () => {
    const capped = testPdfRenderer({ maxPages: 2 });
    const err = await refusal(capped.open(multiPagePdf([[1, 0, 0], [0, 1, 0], [0, 0, 1]])));
    await capped.close();
    expect(err.code).toBe(ErrorCode.PDF_TOO_MANY_PAGES);
    expect(err.details).toEqual({ totalPages: 3, maxPages: 2 });
  });
});

describe('hostile PDFs are bounded in pixels, memory and time', () => {
  it('scales a page over the pixel limit down to fit, keeping its aspect and content', async () => {
    const small = testPdfRenderer({ maxPagePixels: 1_000_000 });
    const doc = await small.open(multiPagePdf([[1, 0, 0]], [14_400, 7_200]));
    const page = await sizeAndCentre(doc, 1);
    doc.close();
    await small.close();
    expect(page.width * page.height).toBeLessThanOrEqual(1_000_000);
    expect(page.width * page.height).toBeGreaterThan(990_000);
    expect(page.width / page.height).toBeCloseTo(2, 2);
    expect(page.centre).toEqual([255, 0, 0]);
  });

  it('keeps at most maxRenderedPages pages in existence, however many callers ask at once', async () => {
    const bounded = testPdfRenderer({ maxRenderedPages: 2, maxPagePixels: 1_000_000 });
    const doc = await bounded.open(giantPagesPdf(8));
    let held = 0;
    let mostHeld = 0;
    let bothHeld = () => {};
    const twoHeld = new Promise<void>((resolve) => (bothHeld = resolve));
    const sizes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        doc.withPage(i + 1, async ({ width, height }) => {
          mostHeld = Math.max(mostHeld, ++held);
          if (held === 2) bothHeld();
          // Every page is held until two are, then a while longer: without the bound, more would be taken meanwhile.
          await twoHeld;
          await new Promise((resolve) => setTimeout(resolve, 300));
          held--;
          return width * height;
        }),
      ),
    );
    doc.close();
    await bounded.close();
    expect(mostHeld).toBe(2);
    for (const pixels of sizes) expect(pixels).toBeLessThanOrEqual(1_000_000);
  });

  it('lets requests take turns for rendered pages: one page of a second request is not queued behind a long PDF', async () => {
    const single = testPdfRenderer({ workers: 1, maxRenderedPages: 1 });
    const [a, b] = [new AbortController().signal, new AbortController().signal];
    const long = await single.open(multiPagePdf(Array.from({ length: 6 }, () => [1, 0, 0])), a);
    const short = await single.open(multiPagePdf([[0, 0, 1]]), b);
    const used: string[] = [];
    const use = (name: string) => async () => void used.push(name);
    await Promise.all([
      ...[1, 2, 3, 4, 5, 6].map((page) => long.withPage(page, use(`long ${page}`))),
      short.withPage(1, use('short 1')),
    ]);
    long.close();
    short.close();
    await single.close();
    expect(used.indexOf('short 1')).toBeLessThanOrEqual(2);
  });

  it('stops a page past its time budget with PDF_RENDER_TIMEOUT, the event loop free meanwhile, and replaces the worker', async () => {
    const one = testPdfRenderer({ workers: 1, pageTimeoutMs: 1500 });
    try {
      const bomb = await one.open(formXObjectBombPdf());
      let rendering = true;
      const render = sizeAndCentre(bomb, 1).finally(() => (rendering = false));
      // A timer fires while the page renders: the render is not on this thread.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rendering).toBe(true);
      const err = await refusal(render);
      expect(err.code).toBe(ErrorCode.PDF_RENDER_TIMEOUT);
      expect(err.details).toEqual({ pageNumber: 1, timeoutMs: 1500 });
      bomb.close();
      // The only worker was terminated mid-page; a fresh one serves the next document.
      const next = await one.open(multiPagePdf([[0, 1, 0]]));
      expect((await sizeAndCentre(next, 1)).centre).toEqual([0, 255, 0]);
      next.close();
    } finally {
      await one.close();
    }
  });
});
