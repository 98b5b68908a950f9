/**
 * The one S3 client shared by the s3:// source and the S3 thumbnail store.
 * Endpoint and path-style addressing make MinIO, Ceph, R2 and other
 * S3-compatible stores work as well as AWS.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';

export interface S3Timeouts {
  /** @default 5000 */
  connectTimeoutMs: number;
  /** Per attempt, until the response headers arrive. @default 30000 */
  requestTimeoutMs: number;
}

const DEFAULT_TIMEOUTS: S3Timeouts = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

export function createS3Client(s3: Config['s3'], timeouts: S3Timeouts = DEFAULT_TIMEOUTS): S3Client {
  const { accessKeyId, secretAccessKey } = s3;
  return new S3Client({
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    // Without keys the SDK's own chain applies (env, profile, instance role).
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    // Newer SDKs add CRC checksums by default, which several S3-compatible
    // stores reject; send and verify them only where the API requires it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: timeouts.connectTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}
