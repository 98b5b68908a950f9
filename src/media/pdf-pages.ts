/**
 * The PDF adapter: MuPDF (WASM) renders each page at 72 DPI, the resolution
 * the reference pipeline uses, in a small pool of worker threads. MuPDF runs
 * synchronously, and one hostile page can take seconds to minutes, so:
 * - rendering never runs on the event loop: /healthz and searches go on;
 * - each page (and opening the document) has a time budget; past it the page
 *   fails with PDF_RENDER_TIMEOUT and its worker is terminated and replaced;
 * - a page larger than `maxPagePixels` at 72 DPI is scaled down to fit,
 *   decided from its bounds before anything is allocated;
 * - at most `maxRenderedPages` rendered pages exist at once, across every
 *   document and request, whatever the ingest concurrency.
 * Workers start on first use and are kept, so no page pays for a start-up.
 */
import { Worker } from 'node:worker_threads';
import { createLimiter } from '../scheduling/concurrency-limit.ts';
import { ErrorCode, SightlineError, type ErrorCode as Code } from '../errors.ts';
import type { ImageInput } from './image-decode.ts';
import type { PdfWorkerInit, PdfWorkerReply, PdfWorkerRequest, RenderedPage } from './pdf-protocol.ts';

export interface PdfRendererOptions {
  /** Documents with more pages are refused whole (PDF_TOO_MANY_PAGES). */
  maxPages: number;
  /** Render worker threads (PDF_RENDER_WORKERS). */
  workers: number;
  /** Budget for one page, or for opening a document (PDF_PAGE_TIMEOUT_MS). */
  pageTimeoutMs: number;
  /** Larger pages are scaled down to this many pixels (PDF_MAX_PAGE_PIXELS). */
  maxPagePixels: number;
  /** Rendered pages that may exist at once, process-wide (PDF_MAX_RENDERED_PAGES). */
  maxRenderedPages: number;
}

export type RenderedImage = Extract<ImageInput, { kind: 'raw' }>;

export interface PdfDocument {
  readonly totalPages: number;
  /**
   * Renders one page (numbered from 1) and runs `use` with its packed RGB
   * pixels; the page counts against `maxRenderedPages` until `use` settles.
   */
  withPage<T>(pageNumber: number, use: (image: RenderedImage) => Promise<T>): Promise<T>;
  /** Lets the workers drop the document; it is unusable afterwards. */
  close(): void;
}

export interface PdfRenderer {
  /**
   * EMPTY_INPUT, CORRUPT_PDF, PDF_ENCRYPTED, PDF_TOO_MANY_PAGES, PDF_RENDER_TIMEOUT.
   * Documents of different owners (requests, told apart by their signal) take
   * turns for workers and rendered pages, so one request's 200-page PDFs do not
   * queue in front of another's one page.
   */
  open(bytes: Uint8Array, owner?: AbortSignal): Promise<PdfDocument>;
  /** Terminates the workers. */
  close(): Promise<void>;
}

const BOOT = new URL('../extractor/worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./pdf-render-worker.ts', import.meta.url).href;

type RenderRequest = Omit<Extract<PdfWorkerRequest, { kind: 'render' }>, 'id'>;

interface WorkerPool {
  render(request: RenderRequest, owner: AbortSignal | undefined): Promise<{ totalPages: number; page: RenderedPage | null }>;
  broadcast(message: PdfWorkerRequest): void;
  close(): Promise<void>;
}

function timedOut(request: RenderRequest, timeoutMs: number): SightlineError {
  const what = request.pageNumber === 0 ? 'opening the PDF' : `rendering page ${request.pageNumber}`;
  return new SightlineError(
    ErrorCode.PDF_RENDER_TIMEOUT,
    `${what} took longer than ${timeoutMs} ms; the PDF is too complex to render (PDF_PAGE_TIMEOUT_MS)`,
    { pageNumber: request.pageNumber, timeoutMs },
  );
}

/** Resolves once the worker has loaded MuPDF, so no page's budget pays for a start-up. */
function startWorker(): Promise<Worker> {
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY } satisfies PdfWorkerInit, name: 'sightline-pdf' });
  return new Promise((resolve, reject) => {
    worker.once('message', () => {
      worker.off('error', reject);
      // An idle worker must not keep a finished process (the CLI) alive.
      worker.unref();
      resolve(worker);
    });
    worker.once('error', reject);
  });
}

/** Sends one request and waits for its reply within the budget. */
function exchange(worker: Worker, message: PdfWorkerRequest & { kind: 'render' }, timeoutMs: number): Promise<PdfWorkerReply> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.unref();
    };
    const onMessage = (reply: PdfWorkerReply) => {
      if (reply.id !== message.id) return;
      settle();
      resolve(reply);
    };
    const onError = (err: Error) => {
      settle();
      reject(new SightlineError(ErrorCode.CORRUPT_PDF, `the PDF renderer failed: ${err.message}`, { pageNumber: message.pageNumber }, { cause: err }));
    };
    const timer = setTimeout(() => {
      settle();
      reject(timedOut(message, timeoutMs));
    }, timeoutMs);
    worker.ref();
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(message);
  });
}

function createWorkerPool(size: number, timeoutMs: number): WorkerPool {
  const idle: Worker[] = [];
  const live = new Set<Worker>();
  const lanes = createLimiter(size);
  let nextId = 1;

  const retire = (worker: Worker) => {
    live.delete(worker);
    void worker.terminate();
  };

  return {
    render(request, owner) {
      return lanes.run(async () => {
        const worker = idle.pop() ?? (await startWorker());
        live.add(worker);
        let reply: PdfWorkerReply;
        try {
          reply = await exchange(worker, { ...request, id: nextId++ }, timeoutMs);
        } catch (err) {
          // Still busy with the page (or dead): a fresh worker takes its place on next use.
          retire(worker);
          throw err;
        }
        idle.push(worker);
        if (!reply.ok) throw new SightlineError(reply.error.code as Code, reply.error.message, reply.error.details);
        return reply;
      }, owner);
    },
    broadcast(message) {
      for (const worker of live) worker.postMessage(message);
    },
    async close() {
      const all = [...live];
      live.clear();
      idle.length = 0;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

export function createPdfRenderer(opts: PdfRendererOptions): PdfRenderer {
  const pool = createWorkerPool(opts.workers, opts.pageTimeoutMs);
  const renderedPages = createLimiter(opts.maxRenderedPages);
  let nextDocId = 1;

  return {
    async open(bytes, owner) {
      if (bytes.length === 0) throw new SightlineError(ErrorCode.EMPTY_INPUT, 'the PDF is empty (0 bytes)');
      const shared = new SharedArrayBuffer(bytes.length);
      new Uint8Array(shared).set(bytes);
      const docId = nextDocId++;
      const forget = () => pool.broadcast({ kind: 'forget', docId });
      const request = (pageNumber: number): RenderRequest => ({ kind: 'render', docId, bytes: shared, pageNumber, maxPixels: opts.maxPagePixels });
      const { totalPages } = await pool.render(request(0), owner);
      if (totalPages > opts.maxPages || totalPages === 0) {
        forget();
        throw totalPages === 0
          ? new SightlineError(ErrorCode.CORRUPT_PDF, 'the PDF has no pages')
          : new SightlineError(ErrorCode.PDF_TOO_MANY_PAGES, `the PDF has ${totalPages} pages, over the limit of ${opts.maxPages}`, {
              totalPages,
              maxPages: opts.maxPages,
            });
      }
      let closed = false;
      // After one page overran its budget, the document is not given another worker's time.
      let overran: SightlineError | undefined;
      return {
        totalPages,
        withPage(pageNumber, use) {
          if (closed) return Promise.reject(new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, 'PDF document used after close()'));
          if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > totalPages) {
            return Promise.reject(
              // Callers number pages from totalPages: anything else is a bug, not the client's mistake.
              new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `page ${pageNumber} is not in 1..${totalPages}`, { pageNumber, totalPages }),
            );
          }
          return renderedPages.run(async () => {
            if (overran) throw overran;
            const { page } = await pool.render(request(pageNumber), owner).catch((err: unknown) => {
              if (err instanceof SightlineError && err.code === ErrorCode.PDF_RENDER_TIMEOUT) overran = err;
              throw err;
            });
            const { data, width, height } = page as RenderedPage;
            return use({ kind: 'raw', data, width, height, channels: 3 });
          }, owner);
        },
        close() {
          if (closed) return;
          closed = true;
          forget();
        },
      };
    },
    close: () => pool.close(),
  };
}
