/**
 * The size cap every source shares (MAX_SOURCE_BYTES). A declared length over
 * the cap is refused before reading a byte, and a body that lies about its
 * length (or declares none) is cut off as soon as it crosses the cap, so a
 * huge or endless response costs at most maxBytes of memory.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, SightlineError } from '../errors.ts';

export function sourceTooLarge(label: string, maxBytes: number, declaredBytes?: number): SightlineError {
  const size = declaredBytes === undefined ? 'more than' : `${declaredBytes} bytes, over`;
  return new SightlineError(
    ErrorCode.SOURCE_TOO_LARGE,
    `${label} is ${size} the ${maxBytes}-byte limit (MAX_SOURCE_BYTES)`,
    declaredBytes === undefined ? { source: label, maxBytes } : { source: label, maxBytes, declaredBytes },
  );
}

/** Throws SOURCE_TOO_LARGE when a known size is over the cap. */
export function assertWithinCap(label: string, maxBytes: number, bytes: number | undefined): void {
  if (bytes !== undefined && bytes > maxBytes) throw sourceTooLarge(label, maxBytes, bytes);
}

/**
 * Reads a body to the end, destroying it the moment it crosses maxBytes or
 * the signal aborts. With a declared length, a body that ends short is a
 * dropped connection.
 */
export async function readCappedBody(
  body: Readable,
  opts: { label: string; maxBytes: number; declaredBytes?: number; signal: AbortSignal },
): Promise<Buffer> {
  const onAbort = () => body.destroy();
  if (opts.signal.aborted) onAbort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await readUpTo(body, opts);
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
}

async function readUpTo(body: Readable, opts: { label: string; maxBytes: number; declaredBytes?: number }) {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > opts.maxBytes) {
      body.destroy();
      throw sourceTooLarge(opts.label, opts.maxBytes);
    }
    chunks.push(chunk);
  }
  if (opts.declaredBytes !== undefined && received < opts.declaredBytes) {
    throw new SightlineError(
      ErrorCode.SOURCE_FETCH_FAILED,
      `${opts.label}: connection closed after ${received} of ${opts.declaredBytes} bytes`,
      { source: opts.label, receivedBytes: received, declaredBytes: opts.declaredBytes },
    );
  }
  return Buffer.concat(chunks, received);
}
