/** Messages between the event loop and a PDF render worker. */
import type { ErrorDetails } from '../errors.ts';

export interface PdfWorkerInit {
  entry: string;
}

export type PdfWorkerRequest =
  | {
      kind: 'render';
      id: number;
      /** Which document: a worker keeps recent ones open, so pages after the first skip parsing. */
      docId: number;
      /** Shared, so sending them with every page copies nothing. */
      bytes: SharedArrayBuffer;
      /** 1-based; 0 opens the document and counts its pages. */
      pageNumber: number;
      maxPixels: number;
    }
  | { kind: 'forget'; docId: number };

export interface RenderedPage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type PdfWorkerReply =
  | { id: number; ok: true; totalPages: number; page: RenderedPage | null }
  | { id: number; ok: false; error: { code: string; message: string; details: ErrorDetails } };
