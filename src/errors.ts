/**
 * Public error codes. Clients match on these (GraphQL `extensions.code`, CLI
 * `error.code`), so a code is never renamed or reused for another meaning.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A valid API key used outside its scopes or collections (HTTP 403); details name the scope. */
  FORBIDDEN: 'FORBIDDEN',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** The caller went away or gave up; nothing is wrong with the request. */
  CANCELLED: 'CANCELLED',
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** No such HTTP route (or playground asset): a wrong URL, not a wrong request body. */
  NOT_FOUND: 'NOT_FOUND',

  EMPTY_INPUT: 'EMPTY_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  PDF_ENCRYPTED: 'PDF_ENCRYPTED',
  CORRUPT_PDF: 'CORRUPT_PDF',
  PDF_TOO_MANY_PAGES: 'PDF_TOO_MANY_PAGES',
  /** A page (or opening the document) overran PDF_PAGE_TIMEOUT_MS. */
  PDF_RENDER_TIMEOUT: 'PDF_RENDER_TIMEOUT',

  MISSING_INPUT_FIELD: 'MISSING_INPUT_FIELD',
  /** A passthrough value that cannot be stored as its field's declared type. */
  INVALID_FIELD_VALUE: 'INVALID_FIELD_VALUE',
  INVALID_SOURCE: 'INVALID_SOURCE',
  SOURCE_TOO_LARGE: 'SOURCE_TOO_LARGE',
  SOURCE_FETCH_FAILED: 'SOURCE_FETCH_FAILED',
  SOURCE_NOT_FOUND: 'SOURCE_NOT_FOUND',
  SOURCE_TIMEOUT: 'SOURCE_TIMEOUT',
  SOURCE_FORBIDDEN: 'SOURCE_FORBIDDEN',

  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_INVALID: 'MODEL_INVALID',
  MODEL_DOWNLOAD_FAILED: 'MODEL_DOWNLOAD_FAILED',
  MODEL_NOT_READY: 'MODEL_NOT_READY',
  EXECUTION_PROVIDER_UNAVAILABLE: 'EXECUTION_PROVIDER_UNAVAILABLE',
  INFERENCE_FAILED: 'INFERENCE_FAILED',
  /** The remote inference server (INFERENCE_URL) cannot be reached, or is not ready, after the call's retries. */
  INFERENCE_UNAVAILABLE: 'INFERENCE_UNAVAILABLE',
  /** A remote inference call overran its deadline (INFERENCE_TIMEOUT_MS). */
  INFERENCE_TIMEOUT: 'INFERENCE_TIMEOUT',
  /** More inference requests wait than the queue holds (INFERENCE_MAX_QUEUED, or the server's --max-queued); retry later. */
  INFERENCE_QUEUE_FULL: 'INFERENCE_QUEUE_FULL',

  COLLECTION_NOT_FOUND: 'COLLECTION_NOT_FOUND',
  COLLECTION_EXISTS: 'COLLECTION_EXISTS',
  INVALID_EXTRACTOR_CONFIG: 'INVALID_EXTRACTOR_CONFIG',
  FEATURE_MISMATCH: 'FEATURE_MISMATCH',
  DOCUMENT_NOT_FOUND: 'DOCUMENT_NOT_FOUND',
  /** Not the form of a document id (a UUID), so it cannot name any document. */
  INVALID_DOCUMENT_ID: 'INVALID_DOCUMENT_ID',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  /** This server already holds INGEST_MAX_JOBS unfinished jobs; retry once one finishes. */
  JOB_QUEUE_FULL: 'JOB_QUEUE_FULL',
  INVALID_FILTER: 'INVALID_FILTER',
  /** A delete that names nothing (no ids, an empty id list, a filter without conditions): deleting everything takes `all: true`. */
  UNSCOPED_DELETE: 'UNSCOPED_DELETE',

  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** The Qdrant server's version is outside what Sightline speaks; start-up stops with it. */
  STORE_VERSION_UNSUPPORTED: 'STORE_VERSION_UNSUPPORTED',
  BLOB_STORE_FAILED: 'BLOB_STORE_FAILED',
  /**
   * Data read back from storage (a store, the ingest job database) is not what
   * Sightline wrote: a damaged row, a collection changed by another client, an
   * answer off Qdrant's API. Details name the collection (if any) and what is wrong.
   */
  STORE_DATA_INVALID: 'STORE_DATA_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Details a caller can act on: which item, which limit, which file. */
export type ErrorDetails = Record<string, string | number | boolean | null>;

/**
 * The one error type that crosses module boundaries. Anything else that
 * escapes to the API is treated as unexpected: masked for the client, logged.
 */
export class SightlineError extends Error {
  override readonly name = 'SightlineError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ErrorCode; message: string; details?: ErrorDetails } {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isSightlineError(err: unknown): err is SightlineError {
  return err instanceof SightlineError;
}

/**
 * Turns anything thrown into a coded error, keeping coded ones as they are.
 * Never throws: a failure to describe an error must not hide the error.
 */
export function toSightlineError(err: unknown, fallback: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR): SightlineError {
  if (isSightlineError(err)) return err;
  let message = 'internal error';
  try {
    message = err instanceof Error ? err.message : String(err);
  } catch {
    // keep the generic message
  }
  return new SightlineError(fallback, message, {}, { cause: err });
}

/**
 * The default branch of an exhaustive switch over a discriminated union: the
 * compiler refuses a call that a new variant could reach.
 */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
