/**
 * A second, deliberately plain reading of Qdrant's filter rules, written
 * apart from src/store/filter.ts so property tests can compare the two.
 * It handles the keys the generators use: dotted names with optional `[]`.
 *
 * Each rule below is taken from Qdrant v1.18.3's source (lib/segment/src/):
 * - Clauses: index/struct_payload_index/read_view/optimizer.rs builds each
 *   clause only `if let Some(conditions) = … && !conditions.is_empty()`, else
 *   None, and index/query_optimization/optimized_filter.rs passes a None
 *   clause: an empty must, should or must_not is no constraint.
 * - is_null / is_empty: the NullIndex every payload index carries
 *   (index/field_index/null_index/mutable_null_index/lifecycle.rs, add_point):
 *   null sets is_null; an array sets is_null when it holds a null and
 *   has_values when it is non-empty; any other value sets has_values.
 *   is_empty = !has_values.
 */
import type { Condition, Filter } from '../../src/store/filter.ts';

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Values a key reaches: `a.b` only through objects, `a[]` into array elements. */
function resolve(payload: Json, key: string): Json[] {
  let current: Json[] = [payload];
  for (const part of key.split('.')) {
    const name = part.endsWith('[]') ? part.slice(0, -2) : part;
    const next: Json[] = [];
    for (const v of current) {
      if (isPlainObject(v) && name in v) next.push(v[name]);
    }
    current = next;
    if (part.endsWith('[]')) {
      const spread: Json[] = [];
      for (const v of current) if (Array.isArray(v)) spread.push(...v);
      current = spread;
    }
  }
  return current;
}

function isInteger(v: Json): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function scalarMatches(cond: { match?: unknown; range?: Record<string, number> }, v: Json): boolean {
  const m = cond.match as { value?: Json; any?: Json[]; except?: Json[] } | undefined;
  if (m && 'value' in m) {
    if (typeof m.value === 'number') return isInteger(v) && v === m.value;
    return v === m.value;
  }
  if (m && m.any) {
    const allStrings = m.any.every((x) => typeof x === 'string');
    if (allStrings) return typeof v === 'string' && m.any.includes(v);
    return isInteger(v) && m.any.includes(v);
  }
  if (m && m.except) {
    const allStrings = m.except.every((x) => typeof x === 'string');
    if (v === null) return false;
    if (allStrings && typeof v === 'string') return !m.except.includes(v);
    if (!allStrings && isInteger(v)) return !m.except.includes(v);
    return true;
  }
  const r = cond.range!;
  if (typeof v !== 'number') return false;
  if (r.gt !== undefined && !(v > r.gt)) return false;
  if (r.gte !== undefined && !(v >= r.gte)) return false;
  if (r.lt !== undefined && !(v < r.lt)) return false;
  if (r.lte !== undefined && !(v <= r.lte)) return false;
  return true;
}

function conditionHolds(c: Condition, payload: Json, id: string): boolean {
  if ('key' in c) {
    for (const v of resolve(payload, c.key)) {
      const candidates = Array.isArray(v) ? v : [v];
      for (const x of candidates) if (scalarMatches(c, x)) return true;
    }
    return false;
  }
  if ('is_empty' in c || 'is_null' in c) {
    const key = 'is_empty' in c ? c.is_empty.key : c.is_null.key;
    let isNull = false;
    let hasValues = false;
    for (const v of resolve(payload, key)) {
      if (v === null) isNull = true;
      else if (Array.isArray(v)) {
        if (v.some((x) => x === null)) isNull = true;
        if (v.length > 0) hasValues = true;
      } else hasValues = true;
    }
    return 'is_empty' in c ? !hasValues : isNull;
  }
  if ('has_id' in c) return c.has_id.includes(id);
  return referenceMatches(payload, id, c);
}

export function referenceMatches(payload: Json, id: string, filter: Filter): boolean {
  if (filter.should && filter.should.length > 0) {
    let any = false;
    for (const c of filter.should) if (conditionHolds(c, payload, id)) any = true;
    if (!any) return false;
  }
  for (const c of filter.must ?? []) if (!conditionHolds(c, payload, id)) return false;
  for (const c of filter.must_not ?? []) if (conditionHolds(c, payload, id)) return false;
  return true;
}

/** A filter made of clauses alone, with no condition anywhere: a delete refuses it (UNSCOPED_DELETE). */
export function referenceHoldsNoCondition(filter: Filter): boolean {
  const conditions = [...(filter.must ?? []), ...(filter.should ?? []), ...(filter.must_not ?? [])];
  return conditions.every((c) => !('key' in c || 'is_empty' in c || 'is_null' in c || 'has_id' in c) && referenceHoldsNoCondition(c));
}
