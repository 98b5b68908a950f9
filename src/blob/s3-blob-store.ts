/**
 * Thumbnails in an S3 bucket (THUMBNAIL_S3_BUCKET, under THUMBNAIL_S3_PREFIX).
 * Without a CDN the URL is the object's s3:// URI, which the Mixpeek-style
 * output documents; with one it is an https URL clients can load.
 */
import { HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ErrorCode, SightlineError } from '../errors.ts';
import { assertBlobKey, blobUrl } from './blob-store.ts';
import type { BlobStore } from './blob-store.ts';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key; a missing trailing slash is added. @default "thumbnails/" */
  prefix: string;
  /** THUMBNAIL_CDN_BASE_URL, mapped onto the bucket's root. */
  cdnBaseUrl?: string;
  /** Per call, retries included. @default 30000 */
  timeoutMs?: number;
}

// Thumbnails are rewritten in place only when their source changes, which a
// re-ingest handles by writing the same key: a week of caching is a fair
// trade between CDN hits and how long a stale thumbnail may linger.
const CACHE_CONTROL = 'public, max-age=604800';

export function createS3BlobStore(opts: S3BlobStoreOptions): BlobStore {
  const { client, bucket, cdnBaseUrl } = opts;
  const prefix = normalisePrefix(opts.prefix);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return {
    async put(key, bytes, contentType) {
      assertBlobKey(key);
      const objectKey = `${prefix}${key}`;
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: bytes,
        ContentType: contentType,
        CacheControl: CACHE_CONTROL,
      });
      try {
        await client.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw storeFailed(`cannot write s3://${bucket}/${objectKey}`, err);
      }
      return { url: cdnBaseUrl === undefined ? `s3://${bucket}/${objectKey}` : blobUrl(cdnBaseUrl, objectKey) };
    },
    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw storeFailed(`thumbnail bucket ${bucket} is not reachable`, err);
      }
    },
  };
}

function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

function storeFailed(message: string, err: unknown): SightlineError {
  const name = err instanceof Error ? err.name : 'Error';
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new SightlineError(
    ErrorCode.BLOB_STORE_FAILED,
    `${message}: ${err instanceof Error ? err.message : String(err)}`,
    status === undefined ? { reason: name } : { reason: name, status },
    { cause: err },
  );
}
