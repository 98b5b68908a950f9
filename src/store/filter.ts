/**
 * Payload filters in Qdrant's JSON shape, with Qdrant's semantics, so the
 * embedded store and Qdrant answer a filter identically. The Qdrant store
 * passes a validated filter through unchanged; the embedded store compiles it.
 *
 * Semantics (read from Qdrant v1.18.3's source, lib/segment/src/...):
 * - must: all; should: at least one; must_not: none. Clauses nest. An empty
 *   clause is no constraint, `should` included: the query optimiser turns
 *   `Some(vec![])` into `None` before evaluating
 *   (index/struct_payload_index/read_view/optimizer.rs, `optimize_filter`, and
 *   index/query_estimator.rs, `estimate_filter`), so `{ should: [] }` matches
 *   every point and `must_not: [{ should: [] }]` matches none. (Only Qdrant's
 *   unoptimised checker, payload_storage/query_checker.rs, reads an empty
 *   should as false; it serves `nested` conditions, which we do not offer.)
 * - A key reaches zero or more values (see payload-path.ts). A match or range
 *   passes when any reached value passes; a reached array passes when any of
 *   its elements does (one level: arrays inside arrays are not flattened).
 *   A key that reaches nothing fails every match and range, `except` included.
 * - match value: strings, booleans and integers, each only equal to its own
 *   type (1 never equals "1" or 1.5). any / except take all-string or
 *   all-integer lists. except fails on null and passes on values of another
 *   type (a number against a list of strings, an object, a boolean).
 * - range compares numbers only.
 * - is_empty / is_null answer as Qdrant's NullIndex does for an indexed field
 *   (index/field_index/null_index/mutable_null_index/lifecycle.rs, `add_point`;
 *   every passthrough field gets a payload index, which brings a NullIndex):
 *   is_empty: the key is missing, null, or [] everywhere it reaches (`[null]`
 *   is not empty); is_null: some reached value is null, or an array holding a
 *   null. Qdrant's unindexed check (common/utils.rs, `check_is_null`) says
 *   `[1, null]` is not null: see README, Filters, for how that trap is refused.
 * - has_id: the point's id is in the list.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { parsePayloadPath, payloadPathProblem, someAtPath, type PathStep } from './payload-path.ts';
import { canonicalPointId } from './point-id.ts';

export type Filter = { must?: Condition[]; should?: Condition[]; must_not?: Condition[] };
export type Condition =
  | Filter
  | FieldCondition
  | { is_empty: { key: string } }
  | { is_null: { key: string } }
  | { has_id: string[] };
export type MatchValue = string | number | boolean;
export type FieldCondition = {
  key: string;
  match?: { value: MatchValue } | { any: Array<string | number> } | { except: Array<string | number> };
  range?: { gt?: number; gte?: number; lt?: number; lte?: number };
};

/** Guards against filters built to exhaust the server. */
export const MAX_FILTER_DEPTH = 16;
const MAX_CONDITIONS = 1024;

const CLAUSES = ['must', 'should', 'must_not'] as const;
const BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

/** Qdrant compares integers as i64; beyond that a JSON number is a float to it. */
const I64_LIMIT = 2 ** 63;
function isI64(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > -I64_LIMIT && value < I64_LIMIT;
}

/** The one way a filter is refused, whoever translates or checks it: INVALID_FILTER naming the path. */
export function invalidFilter(path: string, message: string): SightlineError {
  return new SightlineError(ErrorCode.INVALID_FILTER, `${path}: ${message}`, { path });
}

function fail(path: string, message: string): never {
  throw invalidFilter(path, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields given as null count as absent (GraphQL inputs and Qdrant's own examples send them). */
function present(obj: Record<string, unknown>): string[] {
  return Object.keys(obj).filter((k) => obj[k] !== null && obj[k] !== undefined);
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of present(obj)) {
    if (!allowed.includes(key)) fail(path, `unknown or unsupported field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

interface Budget {
  conditions: number;
}

/**
 * Validates untrusted input (GraphQL, CLI) as a Filter and returns a clean
 * copy: nulls dropped, ids canonical. Throws INVALID_FILTER naming the path.
 */
export function validateFilter(input: unknown): Filter {
  return validateFilterAt(input, 'filter', 0, { conditions: 0 });
}

function validateFilterAt(input: unknown, path: string, depth: number, budget: Budget): Filter {
  if (!isObject(input)) fail(path, 'expected an object with must, should or must_not');
  if (depth > MAX_FILTER_DEPTH) fail(path, `filters nest at most ${MAX_FILTER_DEPTH} deep`);
  onlyKeys(input, CLAUSES, path);
  const out: Filter = {};
  for (const clause of CLAUSES) {
    const list = input[clause];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) fail(`${path}.${clause}`, 'expected a list of conditions');
    out[clause] = list.map((c, i) => validateCondition(c, `${path}.${clause}[${i}]`, depth + 1, budget));
  }
  return out;
}

function validateCondition(input: unknown, path: string, depth: number, budget: Budget): Condition {
  if (++budget.conditions > MAX_CONDITIONS) fail(path, `a filter holds at most ${MAX_CONDITIONS} conditions`);
  if (!isObject(input)) fail(path, 'expected a condition object');
  const keys = present(input);
  if (keys.includes('key')) return validateFieldCondition(input, path);
  for (const kind of ['is_empty', 'is_null'] as const) {
    if (!keys.includes(kind)) continue;
    onlyKeys(input, [kind], path);
    const inner = input[kind];
    if (!isObject(inner)) fail(`${path}.${kind}`, 'expected { key }');
    onlyKeys(inner, ['key'], `${path}.${kind}`);
    const key = validateKey(inner.key, `${path}.${kind}.key`);
    return kind === 'is_empty' ? { is_empty: { key } } : { is_null: { key } };
  }
  if (keys.includes('has_id')) {
    onlyKeys(input, ['has_id'], path);
    const ids = input.has_id;
    if (!Array.isArray(ids)) fail(`${path}.has_id`, 'expected a list of point ids');
    return {
      has_id: ids.map((id, i) => canonicalPointId(id) ?? fail(`${path}.has_id[${i}]`, 'expected a UUID')),
    };
  }
  return validateFilterAt(input, path, depth, budget);
}

function validateKey(key: unknown, path: string): string {
  if (typeof key !== 'string') fail(path, 'expected a payload key such as "brand", "metadata.category" or "items[].sku"');
  const problem = payloadPathProblem(key);
  if (problem !== undefined) fail(path, problem);
  return key;
}

function validateFieldCondition(input: Record<string, unknown>, path: string): FieldCondition {
  onlyKeys(input, ['key', 'match', 'range'], path);
  const key = validateKey(input.key, `${path}.key`);
  const hasMatch = input.match !== undefined && input.match !== null;
  const hasRange = input.range !== undefined && input.range !== null;
  if (hasMatch === hasRange) fail(path, 'give exactly one of match or range (combine conditions with must)');
  return hasMatch
    ? { key, match: validateMatch(input.match, `${path}.match`) }
    : { key, range: validateRange(input.range, `${path}.range`) };
}

function validateMatch(input: unknown, path: string): NonNullable<FieldCondition['match']> {
  if (!isObject(input)) fail(path, 'expected { value }, { any } or { except }');
  const keys = present(input);
  if (keys.length !== 1) fail(path, 'give exactly one of value, any or except');
  onlyKeys(input, ['value', 'any', 'except'], path);
  if (keys[0] === 'value') {
    const value = input.value;
    if (typeof value === 'string' || typeof value === 'boolean' || isI64(value)) return { value };
    fail(`${path}.value`, 'expected a string, a boolean or an integer (use range for decimals)');
  }
  const kind = keys[0] as 'any' | 'except';
  const list = input[kind];
  if (!Array.isArray(list)) fail(`${path}.${kind}`, 'expected a list');
  const strings = list.every((v) => typeof v === 'string');
  if (!strings && !list.every(isI64)) fail(`${path}.${kind}`, 'expected all strings or all integers');
  return kind === 'any' ? { any: [...list] } : { except: [...list] };
}

function validateRange(input: unknown, path: string): NonNullable<FieldCondition['range']> {
  if (!isObject(input)) fail(path, 'expected { gt, gte, lt, lte }');
  onlyKeys(input, BOUNDS, path);
  const out: NonNullable<FieldCondition['range']> = {};
  for (const bound of BOUNDS) {
    const value = input[bound];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${path}.${bound}`, 'expected a number');
    out[bound] = value;
  }
  if (Object.keys(out).length === 0) fail(path, 'give at least one of gt, gte, lt, lte');
  return out;
}

/**
 * True when the filter holds no condition at any depth, only (nested) empty
 * clauses: `{}`, `{ should: [] }`, `{ must: [{ must: [] }] }`. Such a filter
 * states no intent (most of them select every point).
 */
export function holdsNoCondition(filter: Filter): boolean {
  return CLAUSES.every((clause) => (filter[clause] ?? []).every((c) => isNestedFilter(c) && holdsNoCondition(c)));
}

function isNestedFilter(c: Condition): c is Filter {
  return !('key' in c) && !('is_empty' in c) && !('is_null' in c) && !('has_id' in c);
}

/** A compiled filter: keys parsed once, then applied to many points. */
export type PointPredicate = (payload: unknown, id: string) => boolean;

/**
 * Compiles a filter that passed validateFilter. Keys are parsed here, so a
 * scan over many points does no parsing.
 */
export function compileFilter(filter: Filter): PointPredicate {
  const must = (filter.must ?? []).map(compileCondition);
  const should = (filter.should ?? []).map(compileCondition);
  const mustNot = (filter.must_not ?? []).map(compileCondition);
  return (payload, id) =>
    (should.length === 0 || should.some((c) => c(payload, id))) &&
    must.every((c) => c(payload, id)) &&
    !mustNot.some((c) => c(payload, id));
}

/** The reference evaluator: does this point pass the filter? */
export function matchesFilter(payload: unknown, id: string, filter: Filter): boolean {
  return compileFilter(filter)(payload, id);
}

function pathOf(key: string): PathStep[] {
  const steps = parsePayloadPath(key);
  if (!steps) fail('key', `invalid payload key "${key}"`);
  return steps;
}

function compileCondition(condition: Condition): PointPredicate {
  if ('key' in condition) return compileField(condition);
  if ('is_empty' in condition) {
    const steps = pathOf(condition.is_empty.key);
    // Empty when nothing the path reaches holds a value (a missing key reaches nothing).
    return (payload) => !someAtPath(payload, steps, (v) => v !== null && !(Array.isArray(v) && v.length === 0));
  }
  if ('is_null' in condition) {
    const steps = pathOf(condition.is_null.key);
    return (payload) => someAtPath(payload, steps, (v) => v === null || (Array.isArray(v) && v.includes(null)));
  }
  if ('has_id' in condition) {
    const ids = new Set(condition.has_id);
    return (_payload, id) => ids.has(id);
  }
  return compileFilter(condition);
}

function compileField(condition: FieldCondition): PointPredicate {
  const steps = pathOf(condition.key);
  const test = condition.match ? compileMatch(condition.match) : compileRange(condition.range ?? {});
  const one = (value: unknown): boolean => (Array.isArray(value) ? value.some(test) : test(value));
  return (payload) => someAtPath(payload, steps, one);
}

function compileMatch(match: NonNullable<FieldCondition['match']>): (value: unknown) => boolean {
  if ('value' in match) {
    const expected = match.value;
    if (typeof expected === 'number') return (v) => isI64(v) && v === expected;
    return (v) => v === expected;
  }
  const list = 'any' in match ? match.any : match.except;
  // Qdrant reads an empty list as a list of strings.
  const strings = list.every((v) => typeof v === 'string');
  const set = new Set<unknown>(list);
  if ('any' in match) {
    return strings ? (v) => typeof v === 'string' && set.has(v) : (v) => isI64(v) && set.has(v);
  }
  return (v) => {
    if (v === null) return false;
    if (strings && typeof v === 'string') return !set.has(v);
    if (!strings && isI64(v)) return !set.has(v);
    return true;
  };
}

function compileRange(range: NonNullable<FieldCondition['range']>): (value: unknown) => boolean {
  const { gt, gte, lt, lte } = range;
  return (v) =>
    typeof v === 'number' &&
    (gt === undefined || v > gt) &&
    (gte === undefined || v >= gte) &&
    (lt === undefined || v < lt) &&
    (lte === undefined || v <= lte);
}
