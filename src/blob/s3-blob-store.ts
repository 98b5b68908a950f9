/**
 * Thumbnails in an S3 bucket (THUMBNAIL_S3_BUCKET, under THUMBNAIL_S3_PREFIX).
 * Without a CDN the URL is the object's s3:// URI, which the Mixpeek-style
 * output documents; with one it is an https URL clients can load.
 */
import { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ErrorCode, SightlineError } from '../errors.ts';
import { assertBlobKey, blobUrl } from './blob-store.ts';
import type { BlobStore, StoredBlob } from './blob-store.ts';

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
    async get(key) {
      assertBlobKey(key);
      const objectKey = `${prefix}${key}`;
      return readObject(client, bucket, objectKey, timeoutMs);
    },
    async delete(keys) {
      keys.forEach(assertBlobKey);
      await deleteObjects(client, bucket, keys.map((key) => `${prefix}${key}`), timeoutMs);
    },
    async deletePrefix(folder) {
      assertBlobKey(folder);
      await deleteUnder(client, bucket, `${prefix}${folder}/`, timeoutMs);
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

// DeleteObjects takes at most 1000 keys per call.
const DELETE_BATCH = 1000;

async function readObject(client: S3Client, bucket: string, objectKey: string, timeoutMs: number): Promise<StoredBlob | null> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    if (!(out.Body instanceof Readable)) throw new Error('the object has no readable body');
    const data = Buffer.from(await out.Body.transformToByteArray());
    return { data, contentType: out.ContentType ?? 'application/octet-stream' };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw storeFailed(`cannot read s3://${bucket}/${objectKey}`, err);
  }
}

async function deleteObjects(client: S3Client, bucket: string, objectKeys: string[], timeoutMs: number): Promise<void> {
  for (let start = 0; start < objectKeys.length; start += DELETE_BATCH) {
    const batch = objectKeys.slice(start, start + DELETE_BATCH);
    try {
      const out = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      // A per-key failure comes back in a 200 answer, not as a throw.
      const failure = out.Errors?.[0];
      if (failure) throw Object.assign(new Error(`${failure.Key}: ${failure.Message ?? failure.Code}`), { name: failure.Code ?? 'Error' });
    } catch (err) {
      throw storeFailed(`cannot delete from s3://${bucket}`, err);
    }
  }
}

// Each listed page is deleted before the next listing, so every listing starts
// from the front: no continuation token to carry, and a thumbnail written
// meanwhile is caught by a later round.
async function deleteUnder(client: S3Client, bucket: string, keyPrefix: string, timeoutMs: number): Promise<void> {
  let more = true;
  while (more) {
    let page;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw storeFailed(`cannot list s3://${bucket}/${keyPrefix}`, err);
    }
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    await deleteObjects(client, bucket, keys, timeoutMs);
    more = page.IsTruncated === true && keys.length > 0;
  }
}

function isNotFound(err: unknown): boolean {
  const name = err instanceof Error ? err.name : '';
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name !== 'NoSuchBucket' && (name === 'NoSuchKey' || name === 'NotFound' || status === 404);
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
