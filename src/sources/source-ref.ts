/**
 * What an ingest object or an image query names as its image: a URL, an S3
 * object, bytes the client sent (base64, a data: URI, or a file uploaded
 * as multipart), or (in the CLI only) a file on the CLI's
 * machine. The one parser for ingest, search and the CLI. Parsing happens
 * before any I/O so that a bad value fails fast with INVALID_SOURCE and never
 * reaches the network.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, SightlineError } from '../errors.ts';
import { sniffContentType } from '../media/index.ts';

export type SourceRef =
  | { kind: 'url'; url: URL }
  | { kind: 's3'; bucket: string; key: string }
  | { kind: 'bytes'; bytes: Buffer; label: string }
  /** An absolute path on the machine that runs the CLI; the server never makes one. */
  | { kind: 'file'; path: string };

export interface ParseSourceOptions {
  /** Names the value in messages: the mapped field of an ingest object, `query.image`. */
  field?: string;
  /**
   * Set by the CLI only: a string that is neither a URI nor base64 is a local
   * file, resolved against this folder. The server leaves it unset, so it
   * never reads its own disk on a client's say-so.
   */
  localFilesFrom?: string;
}

const ACCEPTED_FORMS =
  'expected an http(s):// URL, an s3://bucket/key URI, a data:<type>;base64,<data> URI, the base64 of a JPEG, PNG, WebP, ' +
  'BMP, GIF, TIFF, AVIF or PDF, or an object { "base64": "<data>" }';
const NO_LOCAL_FILES =
  'the server reads no local files: send the file\'s bytes as base64 (or a data: URI), or run `sightline ingest` / ' +
  '`sightline search --image` on the machine that holds the file';

// S3's own bucket naming rules (lower case, 3 to 63 characters); MinIO follows them too.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DATA_URI = /^data:[^,;]*(?:;[^,;]*)*;base64,/i;
// Standard and URL-safe alphabets, padding optional: what browsers and CLIs produce.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function invalid(reason: string): SightlineError {
  return new SightlineError(ErrorCode.INVALID_SOURCE, `invalid image source: ${reason}; ${ACCEPTED_FORMS}`);
}

/**
 * Parses a source value from an ingest object or a search query: INVALID_SOURCE
 * for a value that names no source, EMPTY_INPUT for a blank string.
 */
export function parseSourceRef(value: unknown, opts: ParseSourceOptions = {}): SourceRef {
  try {
    if (typeof value === 'string') return parseSourceString(value.trim(), opts);
    // A file from a multipart request (the API reads each into a Buffer).
    if (Buffer.isBuffer(value)) {
      if (value.length === 0) throw invalid('the uploaded file is empty');
      return bytesRef(value);
    }
    if (isUploadObject(value)) return bytesRef(decodeBase64(value.base64));
    throw invalid(`got ${describe(value)}`);
  } catch (err) {
    if (opts.field === undefined || !(err instanceof SightlineError)) throw err;
    throw new SightlineError(err.code, `${opts.field}: ${err.message}`, { ...err.details, field: opts.field });
  }
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
    case 'file':
      return pathToFileURL(ref.path).href;
  }
}

function parseSourceString(value: string, opts: ParseSourceOptions): SourceRef {
  if (value === '') {
    throw new SightlineError(ErrorCode.EMPTY_INPUT, `the image source is empty; ${ACCEPTED_FORMS}`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'http':
    case 'https':
      return parseHttpUrl(value);
    case 's3':
      return parseS3Uri(value);
    case 'data':
      return parseDataUri(value);
    case 'file':
      if (opts.localFilesFrom === undefined) throw invalid(`the "file:" scheme is not a source here; ${NO_LOCAL_FILES}`);
      return parseFileUrl(value);
    case undefined:
      return parseBareString(value, opts);
    default:
      throw invalid(`the "${scheme}:" scheme is not supported`);
  }
}

/**
 * A string without a scheme is plain base64 only when it decodes to a type
 * Sightline reads (the magic bytes decide, never a guess); otherwise it is a
 * path, which only the CLI can read. Base64 is tried first: a JPEG's base64
 * starts with "/9j/", which also looks like an absolute path.
 */
function parseBareString(value: string, opts: ParseSourceOptions): SourceRef {
  const bytes = plainBase64Media(value);
  if (bytes !== undefined) return bytesRef(bytes);
  if (opts.localFilesFrom !== undefined) return { kind: 'file', path: path.resolve(opts.localFilesFrom, value) };
  throw invalid(`"${preview(value)}" is neither a URI nor the base64 of a supported image or PDF; if it is a file path, ${NO_LOCAL_FILES}`);
}

function parseFileUrl(value: string): SourceRef {
  try {
    return { kind: 'file', path: fileURLToPath(value) };
  } catch {
    throw invalid('the file: URL is malformed (file:///absolute/path)');
  }
}

function plainBase64Media(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return sniffContentType(bytes) === undefined ? undefined : bytes;
}

const preview = (value: string) => (value.length > 60 ? `${value.slice(0, 57)}...` : value);

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
