/**
 * Thumbnails in a local folder (THUMBNAIL_DIR), served by the API server at
 * /thumbnails/. Writes go to a temporary file renamed into place, so a reader
 * never sees half a thumbnail and a crash never leaves one behind.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, SightlineError } from '../errors.ts';
import { assertBlobKey, blobUrl } from './blob-store.ts';
import type { BlobStore, StoredBlob } from './blob-store.ts';

export interface LocalBlobStoreOptions {
  /** @default DATA_DIR/thumbnails (THUMBNAIL_DIR) */
  dir: string;
  /** Where the server serves the folder, e.g. http://host:4000/thumbnails. */
  publicBaseUrl: string;
  /** Used instead of publicBaseUrl when set (THUMBNAIL_CDN_BASE_URL). */
  cdnBaseUrl?: string;
}

/**
 * The file that holds key inside dir; throws BAD_USER_INPUT for a key that
 * would land outside it. Safe to call with keys taken from request paths.
 */
export function resolveLocalBlobPath(dir: string, key: string): string {
  assertBlobKey(key);
  const root = path.resolve(dir);
  const file = path.resolve(root, key);
  if (!file.startsWith(root + path.sep)) {
    throw new SightlineError(ErrorCode.BAD_USER_INPUT, 'invalid blob key: it leaves the storage folder', {
      key: key.slice(0, 200),
    });
  }
  return file;
}

export function createLocalBlobStore(opts: LocalBlobStoreOptions): BlobStore {
  const baseUrl = opts.cdnBaseUrl ?? opts.publicBaseUrl;
  return {
    async put(key, bytes) {
      const file = resolveLocalBlobPath(opts.dir, key);
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(temp, bytes);
        await rename(temp, file);
      } catch (err) {
        // The write's error is the one worth reporting, not the clean-up's.
        await rm(temp, { force: true }).catch(() => undefined);
        throw storeFailed(`cannot write ${file}`, err);
      }
      return { url: blobUrl(baseUrl, key) };
    },
    get: (key) => readBlob(resolveLocalBlobPath(opts.dir, key)),
    async delete(keys) {
      const files = keys.map((key) => resolveLocalBlobPath(opts.dir, key));
      for (const file of files) await removeTree(file);
    },
    async deletePrefix(prefix) {
      await removeTree(resolveLocalBlobPath(opts.dir, prefix));
    },
    async ping() {
      try {
        await mkdir(opts.dir, { recursive: true });
        await access(opts.dir, constants.W_OK);
      } catch (err) {
        throw storeFailed(`thumbnail folder ${opts.dir} is not writable`, err);
      }
    },
  };
}

// The folder holds only what put wrote, and put is only given thumbnails.
const CONTENT_TYPES = new Map([
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
]);

// A missing file, or a folder where a file was asked for, is no blob.
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

async function readBlob(file: string): Promise<StoredBlob | null> {
  try {
    const data = await readFile(file);
    return { data, contentType: CONTENT_TYPES.get(path.extname(file).toLowerCase()) ?? 'application/octet-stream' };
  } catch (err) {
    if (ABSENT.has(String((err as NodeJS.ErrnoException).code))) return null;
    throw storeFailed(`cannot read ${file}`, err);
  }
}

async function removeTree(file: string): Promise<void> {
  try {
    await rm(file, { recursive: true, force: true });
  } catch (err) {
    throw storeFailed(`cannot delete ${file}`, err);
  }
}

function storeFailed(message: string, err: unknown): SightlineError {
  const code = (err as { code?: unknown }).code;
  return new SightlineError(ErrorCode.BLOB_STORE_FAILED, `${message}: ${err instanceof Error ? err.message : String(err)}`, {
    reason: typeof code === 'string' ? code : 'io',
  }, { cause: err });
}
