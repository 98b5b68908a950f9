/**
 * Worker thread entry: MuPDF (WASM) runs synchronously, so a hostile page (form
 * XObjects nested deep, each drawing the next many times) would hold whatever
 * thread renders it. Here that is this worker, which the pool terminates when
 * a page overruns its time budget, never the server's event loop.
 */
import * as mupdf from 'mupdf';
import { parentPort } from 'node:worker_threads';
import { ErrorCode, SightlineError, toSightlineError } from '../errors.ts';
import type { PdfWorkerReply, PdfWorkerRequest, RenderedPage } from './pdf-protocol.ts';

const port = parentPort;
if (!port) throw new Error('pdf-render-worker.ts must run in a worker thread');

// MuPDF prints its warnings (e.g. "repairing PDF document") as plain text on
// stderr, which would break the JSON-lines log; its errors still reach us as
// exceptions, which become coded errors below.
mupdf.setLog(null);

/** Documents kept open, oldest first: enough for the pages of two documents to interleave. */
const KEEP_OPEN = 2;
const open = new Map<number, { doc: mupdf.Document; totalPages: number }>();

function corruptPdf(err: unknown, details: Record<string, number> = {}): SightlineError {
  const reason = err instanceof Error ? err.message : String(err);
  return new SightlineError(ErrorCode.CORRUPT_PDF, `cannot read PDF: ${reason}`, details, { cause: err });
}

function forget(docId: number): void {
  open.get(docId)?.doc.destroy();
  open.delete(docId);
}

function documentFor(docId: number, bytes: SharedArrayBuffer): { doc: mupdf.Document; totalPages: number } {
  const known = open.get(docId);
  if (known) return known;
  let doc: mupdf.Document | undefined;
  let totalPages: number;
  try {
    doc = mupdf.Document.openDocument(new Uint8Array(bytes), 'application/pdf');
    if (doc.needsPassword()) throw new SightlineError(ErrorCode.PDF_ENCRYPTED, 'the PDF is encrypted and needs a password');
    totalPages = doc.countPages();
  } catch (err) {
    doc?.destroy();
    throw err instanceof SightlineError ? err : corruptPdf(err);
  }
  open.set(docId, { doc, totalPages });
  for (const oldest of open.keys()) {
    if (open.size <= KEEP_OPEN) break;
    forget(oldest);
  }
  return { doc, totalPages };
}

/**
 * Renders at 72 DPI (one point, one pixel), the reference pipeline's
 * resolution, unless that would exceed `maxPixels`: then the whole page is
 * scaled down to fit, decided from its bounds before anything is allocated.
 */
function renderPage(doc: mupdf.Document, pageNumber: number, maxPixels: number): RenderedPage {
  let page: mupdf.Page | undefined;
  let pixmap: mupdf.Pixmap | undefined;
  try {
    page = doc.loadPage(pageNumber - 1);
    const [x0, y0, x1, y1] = page.getBounds();
    const area = Math.max(1, (x1 - x0) * (y1 - y0));
    // Rounding a scaled side up adds at most a row and a column: stay a little under.
    const scale = Math.min(1, Math.sqrt(maxPixels / area) * 0.999);
    pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false);
    return packedRgb(pixmap);
  } catch (err) {
    throw corruptPdf(err, { pageNumber });
  } finally {
    pixmap?.destroy();
    page?.destroy();
  }
}

/** Copies the pixmap out of WASM memory, dropping any row padding. */
function packedRgb(pixmap: mupdf.Pixmap): RenderedPage {
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
  return { data, width, height };
}

port.on('message', (req: PdfWorkerRequest) => {
  if (req.kind === 'forget') return forget(req.docId);
  let reply: PdfWorkerReply;
  try {
    const { doc, totalPages } = documentFor(req.docId, req.bytes);
    const page = req.pageNumber === 0 ? null : renderPage(doc, req.pageNumber, req.maxPixels);
    reply = { id: req.id, ok: true, totalPages, page };
  } catch (err) {
    const e = toSightlineError(err, ErrorCode.CORRUPT_PDF);
    reply = { id: req.id, ok: false, error: { code: e.code, message: e.message, details: e.details } };
  }
  port.postMessage(reply, reply.ok && reply.page ? [reply.page.data.buffer as ArrayBuffer] : []);
});

// MuPDF's WASM is loaded by the import above: from here on, tasks pay for rendering only.
port.postMessage({ ready: true });
