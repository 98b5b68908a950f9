/** Reading request bodies and writing JSON responses on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { ErrorCode as Code, ErrorDetails } from '../errors.ts';

/** A failure answered at the HTTP layer, before GraphQL runs. */
export class HttpFailure extends SightlineError {
  constructor(
    readonly status: number,
    code: Code,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
  }
}

export const bodyTooLarge = (maxBytes: number): HttpFailure =>
  new HttpFailure(413, ErrorCode.BAD_USER_INPUT, `request body exceeds ${maxBytes} bytes`, { limit: maxBytes });

/** Reads the whole body, refusing (413) as soon as it passes maxBytes. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => bodyTooLarge(maxBytes);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** JSON bodies are parsed for Apollo; anything else goes through as text for Apollo to refuse. */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  if (!/^application\/(graphql-response\+)?json\b/i.test(contentType ?? '')) return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure(400, ErrorCode.BAD_USER_INPUT, 'request body is not valid JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** The GraphQL error shape, so clients parse HTTP-level failures like any other. */
export function sendError(res: ServerResponse, status: number, error: SightlineError, headers: Record<string, string> = {}): void {
  const extensions: Record<string, unknown> = { code: error.code };
  if (Object.keys(error.details).length > 0) extensions['details'] = error.details;
  sendJson(res, status, { errors: [{ message: error.message, extensions }] }, headers);
}
