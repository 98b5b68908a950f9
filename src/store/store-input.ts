/**
 * Checks on what callers hand a store, shared by both implementations so they
 * refuse the same things with the same codes.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { holdsNoCondition, validateFilter } from './filter.ts';
import { canonicalPointId } from './point-id.ts';
import { normalisedCopy } from './vector-math.ts';
import type { FeatureBinding, Payload, PointSelector } from './vector-store.ts';

/** 63 like a DNS label: short enough for every place a name travels (Qdrant collection, S3 key prefix, URL path). */
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** The one rule for collection names, from every caller (API, CLI, services, both stores). */
export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new SightlineError(
      ErrorCode.BAD_USER_INPUT,
      `invalid collection name ${JSON.stringify(name)}: 1-63 letters, digits, "_" or "-", starting with a letter or digit`,
      { name: typeof name === 'string' ? name : null },
    );
  }
}

export function pointId(id: unknown): string {
  const canonical = canonicalPointId(id);
  if (canonical === undefined) {
    throw new SightlineError(
      ErrorCode.INVALID_DOCUMENT_ID,
      `${JSON.stringify(id)} is not a document id: document ids are UUIDs that Sightline derives from (collection, ` +
        'source, page); take them from an ingest result\'s documentIds or a search hit\'s id',
      { id: typeof id === 'string' ? id : String(id) },
    );
  }
  return canonical;
}

/** Distinct canonical ids, first occurrence first. */
export function pointIds(ids: unknown[]): string[] {
  return [...new Set(ids.map(pointId))];
}

/**
 * A JSON copy of the payload: what the store keeps is what JSON can carry.
 * Payloads are built by the ingest pipeline, never taken as they come from a
 * client, so a bad one is Sightline's bug: an internal error.
 */
export function cleanPayload(payload: unknown, id: string): Payload {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `payload of point ${id} must be a JSON object`, { id });
  }
  try {
    return JSON.parse(JSON.stringify(payload)) as Payload;
  } catch (err) {
    throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `payload of point ${id} is not JSON`, { id }, { cause: err });
  }
}

/** Most hits one search returns. */
export const MAX_LIMIT = 1000;
/** Deepest page: a deep page costs as much as reading everything before it. */
export const MAX_OFFSET = 100_000;

/** The one rule for paging, from every caller (API, CLI, search service, both stores). */
export function checkPaging(limit: unknown, offset: unknown = 0): { limit: number; offset: number } {
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIMIT) {
    throw new SightlineError(ErrorCode.BAD_USER_INPUT, `limit must be an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}`, {
      max: MAX_LIMIT,
    });
  }
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) > MAX_OFFSET) {
    throw new SightlineError(ErrorCode.BAD_USER_INPUT, `offset must be an integer from 0 to ${MAX_OFFSET}, got ${String(offset)}`, {
      max: MAX_OFFSET,
    });
  }
  return { limit: limit as number, offset: offset as number };
}

export function sameBinding(a: FeatureBinding, b: FeatureBinding): boolean {
  return (
    a.featureUri === b.featureUri &&
    a.vectorName === b.vectorName &&
    a.dimensions === b.dimensions &&
    a.distance === b.distance
  );
}

const describeBinding = (b: FeatureBinding) => `${b.featureUri} (vector "${b.vectorName}", ${b.dimensions}-d ${b.distance})`;

/**
 * The binding a collection records, checked against the features this server
 * offers: FEATURE_MISMATCH when its feature is not offered, or is offered
 * with another vector name, dimension or distance. Never a silent re-index.
 */
export function checkBinding(collection: string, recorded: FeatureBinding, offered: readonly FeatureBinding[]): FeatureBinding {
  const known = offered.find((b) => b.featureUri === recorded.featureUri);
  if (known && sameBinding(recorded, known)) return known;
  throw new SightlineError(
    ErrorCode.FEATURE_MISMATCH,
    `collection "${collection}" is bound to ${describeBinding(recorded)}, but this server offers ` +
      `${known ? describeBinding(known) : offered.map((b) => b.featureUri).join(', ')}; ` +
      're-create the collection and re-ingest it to change its feature',
    { collection, recorded: recorded.featureUri },
  );
}

/**
 * A unit-length copy of `vector` for a collection bound to `binding`:
 * FEATURE_MISMATCH when its width is not the binding's (a vector from another
 * model must never land in, or query, this collection).
 */
export function vectorFor(collection: string, binding: FeatureBinding, vector: Float32Array, what: string): Float32Array {
  if (vector.length !== binding.dimensions) {
    throw new SightlineError(
      ErrorCode.FEATURE_MISMATCH,
      `${what} has ${vector.length} dimensions, but collection "${collection}" is bound to ${describeBinding(binding)}; ` +
        "embed it with the collection's own model",
      { collection, expected: binding.dimensions, got: vector.length },
    );
  }
  return normalisedCopy(vector, binding.dimensions, what);
}

export function collectionNotFound(name: string): SightlineError {
  return new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, `collection "${name}" does not exist`, {
    collection: name,
  });
}

/** What a caller (GraphQL, CLI, code) asks a delete to remove, before it is checked. */
export interface DeleteRequest {
  ids?: readonly unknown[] | null;
  filter?: unknown;
  all?: boolean | null;
}

const DELETE_ALL_HINT = 'to delete every document of the collection, pass all: true instead';

function unscoped(message: string): SightlineError {
  return new SightlineError(ErrorCode.UNSCOPED_DELETE, `${message}; ${DELETE_ALL_HINT}`);
}

/**
 * The one rule for what a delete may name. Deleting needs explicit intent: no
 * selector, `ids: []` and a filter without any condition (which would select
 * every point, Qdrant's reading of empty clauses) are refused with
 * UNSCOPED_DELETE; deleting everything takes `all: true`.
 */
export function deleteSelector(request: DeleteRequest): PointSelector {
  const given = (['ids', 'filter', 'all'] as const).filter((k) => request[k] !== undefined && request[k] !== null && request[k] !== false);
  if (given.length > 1) {
    throw new SightlineError(ErrorCode.BAD_USER_INPUT, `a delete takes exactly one of ids, filter, all (found ${given.join(', ')})`);
  }
  if (given.length === 0) throw unscoped('a delete needs ids or a filter naming the documents to remove');
  if (request.all === true) return { all: true };
  if (request.ids !== undefined && request.ids !== null) {
    if (request.ids.length === 0) throw unscoped('ids is empty, so it names no document');
    return { ids: pointIds([...request.ids]) };
  }
  const filter = validateFilter(request.filter);
  if (holdsNoCondition(filter)) throw unscoped('the filter holds no condition, so it names no document in particular');
  return { filter };
}
