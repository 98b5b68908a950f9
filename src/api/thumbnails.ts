/** GET /thumbnails/<key>: thumbnails kept in the local folder (THUMBNAIL_STORAGE=local), read through the blob store. */
import type { ServerResponse } from 'node:http';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Services } from './services.ts';
import { sendError } from './http-io.ts';

export const THUMBNAIL_PREFIX = '/thumbnails/';

/** Keys are what the blob store wrote: path segments of safe characters, never `..`. */
const SAFE_KEY = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w.-]+(?:\/[\w.-]+)*$/;

export async function sendThumbnail(res: ServerResponse, services: Services, rawKey: string): Promise<void> {
  let key: string;
  try {
    key = decodeURIComponent(rawKey);
  } catch {
    key = '';
  }
  const thumbnail = SAFE_KEY.test(key) ? await services.readThumbnail(key) : null;
  if (!thumbnail) {
    sendError(res, 404, new SightlineError(ErrorCode.DOCUMENT_NOT_FOUND, 'no such thumbnail'));
    return;
  }
  res.writeHead(200, {
    'content-type': thumbnail.contentType,
    'content-length': String(thumbnail.data.length),
    // Re-ingesting a document rewrites its thumbnail under the same key.
    'cache-control': 'public, max-age=300',
  });
  res.end(thumbnail.data);
}
