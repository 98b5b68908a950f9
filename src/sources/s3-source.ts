/**
 * Reads an s3://bucket/key object with the configured client. The bucket
 * allow-list (S3_ALLOWED_BUCKETS) keeps users from reading whatever else the
 * server's credentials happen to reach.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { ErrorCode, SightlineError, isSightlineError } from '../errors.ts';
import { assertWithinCap, readCappedBody } from './capped-body.ts';
import { startDeadline } from './deadline.ts';

export interface S3FetchOptions {
  client: S3Client;
  /** Empty: every bucket the credentials reach. @default [] (S3_ALLOWED_BUCKETS) */
  allowedBuckets: readonly string[];
  /** @default 10 MiB (MAX_SOURCE_BYTES) */
  maxBytes: number;
  /** Whole read, body included. @default 30000 (FETCH_TIMEOUT_MS) */
  timeoutMs: number;
}

export interface S3FetchResult {
  bytes: Buffer;
  contentType?: string;
}

const NOT_FOUND_ERRORS = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound']);
const FORBIDDEN_ERRORS = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled']);

export async function fetchS3Source(
  ref: { bucket: string; key: string },
  opts: S3FetchOptions,
  signal?: AbortSignal,
): Promise<S3FetchResult> {
  const label = `s3://${ref.bucket}/${ref.key}`;
  if (opts.allowedBuckets.length > 0 && !opts.allowedBuckets.includes(ref.bucket)) {
    throw new SightlineError(ErrorCode.SOURCE_FORBIDDEN, `${label}: bucket "${ref.bucket}" is not in S3_ALLOWED_BUCKETS`, {
      source: label,
      bucket: ref.bucket,
    });
  }
  const deadline = startDeadline(opts.timeoutMs, signal);
  try {
    const out = await opts.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
      abortSignal: deadline.signal,
    });
    return await readObject(out, label, opts.maxBytes, deadline.signal);
  } catch (err) {
    if (isSightlineError(err)) throw err;
    throw deadline.abortError(label) ?? s3Error(label, err);
  }
}

async function readObject(out: GetObjectCommandOutput, label: string, maxBytes: number, signal: AbortSignal) {
  const body = out.Body;
  if (!(body instanceof Readable)) {
    throw new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `${label}: the object has no readable body`, { source: label });
  }
  try {
    assertWithinCap(label, maxBytes, out.ContentLength);
  } catch (err) {
    body.destroy();
    throw err;
  }
  const bytes = await readCappedBody(body, { label, maxBytes, declaredBytes: out.ContentLength, signal });
  return out.ContentType === undefined ? { bytes } : { bytes, contentType: out.ContentType };
}

function s3Error(label: string, err: unknown): SightlineError {
  const name = err instanceof Error ? err.name : 'Error';
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = err instanceof Error ? err.message : String(err);
  const details = { source: label, reason: name, ...(status === undefined ? {} : { status }) };
  if (NOT_FOUND_ERRORS.has(name) || status === 404) {
    return new SightlineError(ErrorCode.SOURCE_NOT_FOUND, `${label} does not exist (${name})`, details, { cause: err });
  }
  if (FORBIDDEN_ERRORS.has(name) || status === 403) {
    return new SightlineError(ErrorCode.SOURCE_FORBIDDEN, `${label}: access denied by the S3 service`, details, { cause: err });
  }
  if (name === 'TimeoutError') {
    return new SightlineError(ErrorCode.SOURCE_TIMEOUT, `${label}: the S3 service did not answer in time`, details, {
      cause: err,
    });
  }
  return new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `reading ${label} failed: ${message}`, details, { cause: err });
}
