/**
 * What an ingest object or an image query names as its image: a URL, an S3
 * object, or bytes the client sent. Parsing happens before any I/O so that a
 * bad value fails fast with INVALID_SOURCE and never reaches the network.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, SightlineError } from '../../errors.ts';

export type SourceRef =
  | { kind: 'url'; url: URL }
  | { kind: 's3'; bucket: string; key: string }
  | { kind: 'bytes'; bytes: Buffer; label: string };

const ACCEPTED_FORMS =
  'expected an http(s):// URL, an s3://bucket/key URI, a data:<type>;base64,<data> URI, or an object { "base64": "<data>" }';

// S3's own bucket naming rules (lower case, 3 to 63 characters); MinIO follows them too.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DATA_URI = /^data:[^,;]*(?:;[^,;]*)*;base64,/i;
// Standard and URL-safe alphabets, padding optional: what browsers and CLIs produce.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function invalid(reason: string): SightlineError {
  return new SightlineError(ErrorCode.INVALID_SOURCE, `invalid image source: ${reason}; ${ACCEPTED_FORMS}`);
}

/** Parses a source value from an ingest object or a search query; throws INVALID_SOURCE. */
export function parseSourceRef(value: unknown): SourceRef {
  if (typeof value === 'string') return parseSourceString(value.trim());
  if (isUploadObject(value)) return bytesRef(decodeBase64(value.base64));
  throw invalid(`got ${describe(value)}`);
}

/**
 * A stable name for the source: the URL, the s3 URI, or a content hash for
 * uploads. Document ids are derived from it, so it never varies between runs.
 */
export function sourceLabel(ref: SourceRef): string {
  switch (ref.kind) {
    case 'url':
      return ref.url.href;
    case 's3':
      return `s3://${ref.bucket}/${ref.key}`;
    case 'bytes':
      return ref.label;
  }
}

function parseSourceString(value: string): SourceRef {
  if (value === '') throw invalid('the value is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'http':
    case 'https':
      return parseHttpUrl(value);
    case 's3':
      return parseS3Uri(value);
    case 'data':
      return parseDataUri(value);
    case undefined:
      throw invalid('a relative path or bare name is not a source');
    default:
      throw invalid(`the "${scheme}:" scheme is not supported`);
  }
}

function parseHttpUrl(value: string): SourceRef {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('the URL is malformed');
  }
  if (url.hostname === '') throw invalid('the URL has no host');
  return { kind: 'url', url };
}

function parseS3Uri(value: string): SourceRef {
  if (!/^s3:\/\//i.test(value)) throw invalid('an S3 URI starts with s3://');
  const rest = value.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) throw invalid(`"${bucket}" is not a valid S3 bucket name`);
  if (key === '') throw invalid('the S3 URI names no object key');
  if (hasDotSegment(key)) throw invalid(`the S3 key "${key}" has a "." or ".." segment`);
  return { kind: 's3', bucket, key };
}

// Rounds of percent-decoding tried: enough for any chain of proxies we know of,
// and bounded so a key of nested escapes costs nothing.
const DECODE_ROUNDS = 4;

/**
 * Path-normalising S3 stores and proxies resolve `..` in the request path, so
 * `allowed/../other/key` would read another bucket past S3_ALLOWED_BUCKETS.
 * A hop may decode `%2e` or `%5c`, treat `\` as `/`, or fold full-width dots,
 * so the key is refused when any decoding of it has such a segment.
 */
function hasDotSegment(key: string): boolean {
  let text = key;
  for (let round = 0; round <= DECODE_ROUNDS; round++) {
    const segments = text.normalize('NFKC').split(/[/\\]/);
    if (segments.some((s) => s === '.' || s === '..')) return true;
    const decoded = text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (decoded === text) return false;
    text = decoded;
  }
  return false;
}

function parseDataUri(value: string): SourceRef {
  const header = DATA_URI.exec(value);
  if (!header) throw invalid('only base64 data: URIs are accepted');
  return bytesRef(decodeBase64(value.slice(header[0].length)));
}

function decodeBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') throw invalid('the base64 data is empty');
  if (!BASE64.test(compact) || compact.length % 4 === 1) throw invalid('the base64 data is malformed');
  return Buffer.from(compact, 'base64');
}

function bytesRef(bytes: Buffer): SourceRef {
  const digest = createHash('sha256').update(bytes).digest('hex');
  return { kind: 'bytes', bytes, label: `upload:sha256:${digest.slice(0, 16)}` };
}

function isUploadObject(value: unknown): value is { base64: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { base64?: unknown }).base64 === 'string'
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without a "base64" string' : `a ${typeof value}`;
}
