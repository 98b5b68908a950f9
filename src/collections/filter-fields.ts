/**
 * A filter checked against the collection it runs on, so a mistake is refused
 * (INVALID_FILTER) instead of answering an empty list: a key must be a system
 * field, a passthrough target or a path under one; a value must be one its
 * field's type can hold; and the conditions on which Qdrant answers
 * differently with and without a payload index are refused (the trap rule).
 */
import { distance } from 'fastest-levenshtein';
import { invalidFilter, type Condition, type FieldCondition, type Filter } from '../store/filter.ts';
import { parsePayloadPath } from '../store/payload-path.ts';
import type { ExtractorConfig } from './extractor-config.ts';
import type { FieldType } from './field-types.ts';

/** What Sightline writes on every document, and as what. */
const SYSTEM_FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  source: 'keyword',
  content_type: 'keyword',
  page_number: 'integer',
  total_pages: 'integer',
  width: 'integer',
  height: 'integer',
  thumbnail_url: 'keyword',
  processing_time_ms: 'float',
  ingested_at: 'datetime',
};

interface KnownField {
  name: string;
  segments: string[];
  /** Undefined for an undeclared passthrough field. */
  type: FieldType | undefined;
  /** Has a payload index of its own (system fields are scalars, so both of Qdrant's paths agree on them). */
  indexed: boolean;
}

/** Where a key lands: the field it names or lies under, and whether it names the field itself (or its elements). */
interface Resolved {
  field: KnownField;
  whole: boolean;
}

const CLAUSES = ['must', 'should', 'must_not'] as const;

export function knownFields(extractor: ExtractorConfig): KnownField[] {
  return [
    ...Object.entries(SYSTEM_FIELD_TYPES).map(([name, type]) => ({ name, segments: [name], type, indexed: false })),
    ...extractor.fieldPassthrough.map((p) => ({ name: p.targetPath, segments: p.targetPath.split('.'), type: p.type, indexed: true })),
  ];
}

/** INVALID_FILTER at the first condition that cannot be what the user meant. */
export function checkFilterFields(filter: Filter, extractor: ExtractorConfig): void {
  checkClauses(filter, 'filter', knownFields(extractor));
}

function checkClauses(filter: Filter, path: string, fields: KnownField[]): void {
  for (const clause of CLAUSES) {
    (filter[clause] ?? []).forEach((c, i) => checkCondition(c, `${path}.${clause}[${i}]`, fields));
  }
}

function checkCondition(c: Condition, path: string, fields: KnownField[]): void {
  if ('has_id' in c) return;
  if ('key' in c) return checkValue(c, path, resolve(c.key, path, fields));
  if ('is_empty' in c) return void resolve(c.is_empty.key, path, fields);
  if ('is_null' in c) {
    const at = resolve(c.is_null.key, path, fields);
    // Qdrant answers is_null on [1, null] "null" through a payload index and "not null" without one
    // (null_index add_point vs common/utils.rs check_is_null): only an indexed field itself is asked.
    if (at.field.indexed && !at.whole) {
      throw invalidFilter(path, `isNull on "${c.is_null.key}" (under the field "${at.field.name}"): Qdrant answers it differently for arrays holding null; ask isNull of the field "${at.field.name}" itself, or declare "${c.is_null.key}" as a passthrough field of its own`);
    }
    return;
  }
  checkClauses(c, path, fields);
}

function resolve(key: string, path: string, fields: KnownField[]): Resolved {
  const steps = parsePayloadPath(key) ?? [];
  const names: string[] = [];
  for (const step of steps) {
    if (!('key' in step)) break;
    names.push(step.key);
  }
  const under = fields.find((f) => f.segments.every((s, i) => names[i] === s));
  if (under) return { field: under, whole: names.length === under.segments.length && steps.length <= names.length + 1 };
  const nearest = nearestNames(key, fields.map((f) => f.name));
  throw invalidFilter(
    path,
    `unknown field "${key}": a filter key is a passthrough target (or a path under one) or a system field` +
      (nearest.length > 0 ? `; did you mean ${nearest.join(' or ')}?` : ''),
  );
}

function checkValue(c: FieldCondition, path: string, at: Resolved): void {
  const type = at.whole ? at.field.type : undefined;
  if (type === undefined) return;
  const refuse = (what: string, fix: string): never => {
    throw invalidFilter(path, `"${c.key}" is a ${type} field, so ${what} can never match it; ${fix}`);
  };
  if (c.range) {
    if (type !== 'integer' && type !== 'float') refuse('a range', 'ranges compare numbers');
    // Qdrant's integer index truncates fractional bounds (gte 9.5 would keep 9): say the whole number instead.
    const fractional = Object.values(c.range).find((b) => !Number.isInteger(b));
    if (type === 'integer' && fractional !== undefined) refuse(`the bound ${fractional}`, 'give whole-number bounds');
    return;
  }
  const values = c.match === undefined ? [] : 'value' in c.match ? [c.match.value] : 'any' in c.match ? c.match.any : c.match.except;
  for (const v of values) {
    const fits =
      typeof v === 'string' ? type === 'keyword' || type === 'datetime' : typeof v === 'boolean' ? type === 'bool' : type === 'integer' || type === 'float';
    if (!fits) refuse(`the value ${JSON.stringify(v)}`, `compare it with ${type === 'bool' ? 'true or false' : type === 'keyword' || type === 'datetime' ? 'a string' : 'a number'}`);
  }
}

/** Up to three known names closest to `key` by edit distance, closest first. */
function nearestNames(key: string, names: string[]): string[] {
  const limit = Math.max(2, Math.floor(key.length / 3));
  return names
    .map((name) => ({ name, d: distance(key, name) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.name);
}
