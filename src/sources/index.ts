/**
 * The one door through which image bytes enter Sightline, whatever the
 * source: the same size cap, timeouts and coded errors for all of them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { assertWithinCap } from './capped-body.ts';
import { readFileSource } from './file-source.ts';
import { fetchHttpSource } from './http-source.ts';
import { fetchS3Source } from './s3-source.ts';
import { sourceLabel } from './source-ref.ts';
import type { SourceRef } from './source-ref.ts';
import { defaultSsrfGuard } from './ssrf-guard.ts';
import type { SsrfGuard } from './ssrf-guard.ts';

export { parseSourceRef, sourceLabel } from './source-ref.ts';
export type { ParseSourceOptions, SourceRef } from './source-ref.ts';

export interface FetchedSource {
  bytes: Buffer;
  /** sourceLabel(ref): stable, used in document ids. */
  label: string;
  /** What the server claimed, for logs; content is sniffed from the bytes. */
  headerContentType?: string;
}

export interface SourceFetcher {
  fetch(ref: SourceRef, signal?: AbortSignal): Promise<FetchedSource>;
}

export interface SourceFetcherOptions {
  fetch: Config['fetch'];
  /** @default 10 MiB (MAX_SOURCE_BYTES) */
  maxBytes: number;
  /** S3_ALLOWED_BUCKETS: the buckets s3:// sources may read; empty for any. */
  allowedBuckets: readonly string[];
  /** The process's one S3 client, called on the first s3:// source only. */
  s3Client: () => S3Client;
  logger: Logger;
  /** Replaces DNS resolution and address classification (tests). */
  guard?: SsrfGuard;
}

export function createSourceFetcher(opts: SourceFetcherOptions): SourceFetcher {
  const { fetch: limits, maxBytes, logger } = opts;
  const guard = opts.guard ?? defaultSsrfGuard(limits.allowPrivateUrls);

  async function fetchBytes(ref: SourceRef, label: string, signal?: AbortSignal) {
    switch (ref.kind) {
      case 'url': {
        const res = await fetchHttpSource(ref.url, { ...limits, maxBytes, guard }, signal);
        return { bytes: res.bytes, headerContentType: res.contentType };
      }
      case 's3': {
        const options = { client: opts.s3Client(), allowedBuckets: opts.allowedBuckets, maxBytes, timeoutMs: limits.timeoutMs };
        const res = await fetchS3Source(ref, options, signal);
        return { bytes: res.bytes, headerContentType: res.contentType };
      }
      case 'bytes':
        assertWithinCap(label, maxBytes, ref.bytes.length);
        return { bytes: ref.bytes, headerContentType: undefined };
      case 'file':
        return { bytes: await readFileSource(ref.path, { maxBytes, signal }), headerContentType: undefined };
    }
  }

  return {
    async fetch(ref, signal) {
      const label = sourceLabel(ref);
      const started = performance.now();
      const { bytes, headerContentType } = await fetchBytes(ref, label, signal);
      logger.debug('source fetched', {
        source: label,
        bytes: bytes.length,
        headerContentType,
        ms: Math.round(performance.now() - started),
      });
      return headerContentType === undefined ? { bytes, label } : { bytes, label, headerContentType };
    },
  };
}
