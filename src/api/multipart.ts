/**
 * GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec):
 * files travel as form parts beside the `operations` JSON, a `map` naming the
 * variable each one fills. graphql-upload-minimal parses the form; every file is
 * read here, before GraphQL runs, into a Buffer at the place the map names, so
 * resolvers see bytes and never a half-read stream, and the whole request stays
 * under the body cap. Apollo still sees the multipart content type, so its CSRF
 * prevention (a preflight header is required for this "simple" type) applies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest, Upload } from 'graphql-upload-minimal';
import { ErrorCode } from '../errors.ts';
import { HttpFailure, bodyTooLarge } from './http-io.ts';

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
}

/** The operation(s) of a multipart request, each file replaced by its bytes. */
export async function readMultipartOperations(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  let received = 0;
  let overflowed = false;
  const countBytes = (chunk: Buffer) => {
    received += chunk.length;
    // Undeclared (chunked) bodies: stop reading; the parser then fails every pending file.
    if (received > maxBodyBytes && !overflowed) {
      overflowed = true;
      req.destroy();
    }
  };
  req.on('data', countBytes);
  try {
    const operations = await processRequest(req, res, { maxFieldSize: maxBodyBytes });
    return await replaceUploads(operations);
  } catch (err) {
    if (overflowed) throw bodyTooLarge(maxBodyBytes);
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      throw new HttpFailure(status, ErrorCode.BAD_USER_INPUT, `multipart request: ${(err as Error).message}`);
    }
    throw err;
  } finally {
    req.off('data', countBytes);
  }
}

/**
 * Walks the parsed JSON (plain objects and arrays only) and reads each file in
 * its place, whole: the body cap bounds it, and the source fetcher refuses one
 * over MAX_SOURCE_BYTES per item, like any other source.
 */
async function replaceUploads(value: unknown): Promise<unknown> {
  if (value instanceof Upload) return readUpload(value);
  if (Array.isArray(value)) return Promise.all(value.map(replaceUploads));
  if (typeof value !== 'object' || value === null) return value;
  const entries = await Promise.all(Object.entries(value).map(async ([key, v]) => [key, await replaceUploads(v)] as const));
  return Object.fromEntries(entries);
}

async function readUpload(upload: Upload): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await upload.promise).createReadStream() as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
