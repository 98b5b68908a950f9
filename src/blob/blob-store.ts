/**
 * Where thumbnails go: S3 (or anything that speaks it) or a local folder the
 * API server serves at /thumbnails/. Both hand back the URL clients use.
 */
import { ErrorCode, SightlineError } from '../errors.ts';

export interface StoredBlob {
  data: Buffer;
  contentType: string;
}

export interface BlobStore {
  /** Stores the bytes under key (replacing any earlier ones) and returns their public URL. */
  put(key: string, bytes: Buffer, contentType: string): Promise<{ url: string }>;
  /** The blob under key; null when there is none (a folder is none). BAD_USER_INPUT for an invalid key. */
  get(key: string): Promise<StoredBlob | null>;
  /** Removes the blobs under these keys; a key with nothing under it is no error. BLOB_STORE_FAILED. */
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every blob under `<prefix>/` (a collection's thumbnails). BLOB_STORE_FAILED. */
  deletePrefix(prefix: string): Promise<void>;
  /** Throws BLOB_STORE_FAILED when the store cannot be written to (readiness). */
  ping(): Promise<void>;
}

/**
 * Keys are relative paths made of plain segments: no leading slash, no `.` or
 * `..`, no backslashes or control characters. The same rule serves the local
 * folder (where `..` would escape it) and S3 (where it would confuse CDNs).
 */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  const bad =
    key === '' ||
    key.length > 512 ||
    /[\\\u0000-\u001f\u007f]/.test(key) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) {
    throw new SightlineError(ErrorCode.BAD_USER_INPUT, 'invalid blob key: expected a relative path of plain segments', {
      key: key.slice(0, 200),
    });
  }
}

/**
 * The public URL of a stored blob: the base (a CDN, or the server's own
 * /thumbnails route) joined with the key, each segment percent-encoded.
 */
export function blobUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
