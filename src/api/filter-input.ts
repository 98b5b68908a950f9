/**
 * The typed GraphQL filter → the store's Qdrant-shaped filter, then checked by
 * the store's one validator (store/filter.ts), so the API, the CLI and the
 * stores refuse the same filters with the same code, INVALID_FILTER. GraphQL
 * cannot say "exactly one of these fields": that part of the shape is
 * checked here while translating, with the same code.
 */
import { invalidFilter as invalid, MAX_FILTER_DEPTH, validateFilter } from '../store/filter.ts';
import type { Condition, Filter } from './services.ts';
import type { ConditionInput, FilterInput, RangeInput } from './generated/resolvers-types.ts';

const keyedOperators = ['match', 'any', 'except', 'range', 'isEmpty', 'isNull'] as const;
const keylessOperators = ['hasId', 'filter'] as const;

export function toStoreFilter(input: FilterInput): Filter {
  return validateFilter(translate(input, 'filter', 0));
}

function translate(input: FilterInput, path: string, depth: number): Filter {
  // Checked while translating too: the recursion itself must stay bounded.
  if (depth > MAX_FILTER_DEPTH) throw invalid(path, `filters nest at most ${MAX_FILTER_DEPTH} deep`);
  const filter: Filter = {};
  const clauses = [
    ['must', input.must],
    ['should', input.should],
    ['must_not', input.mustNot],
  ] as const;
  for (const [name, conditions] of clauses) {
    if (conditions == null) continue;
    const inputName = name === 'must_not' ? 'mustNot' : name;
    filter[name] = conditions.map((c, i) => toCondition(c, `${path}.${inputName}[${i}]`, depth));
  }
  return filter;
}

function toCondition(input: ConditionInput, path: string, depth: number): Condition {
  const set = [...keyedOperators, ...keylessOperators].filter((op) => input[op] != null);
  if (set.length !== 1) {
    const found = set.length === 0 ? 'none' : set.join(', ');
    throw invalid(path, `a condition sets exactly one of match, any, except, range, isEmpty, isNull, hasId, filter (found ${found})`);
  }
  const op = set[0]!;
  if (op === 'hasId' || op === 'filter') {
    if (input.key != null) throw invalid(path, `${op} takes no key`);
    return op === 'hasId' ? { has_id: input.hasId! } : translate(input.filter!, `${path}.filter`, depth + 1);
  }
  const key = input.key?.trim();
  if (!key) throw invalid(path, `${op} needs a key`);
  switch (op) {
    case 'match':
      return { key, match: { value: input.match! } };
    case 'any':
      return { key, match: { any: listValues(input.any!, `${path}.any`) } };
    case 'except':
      return { key, match: { except: listValues(input.except!, `${path}.except`) } };
    case 'range':
      return { key, range: toRange(input.range!, path) };
    case 'isEmpty':
      return negatedUnless(input.isEmpty!, { is_empty: { key } });
    case 'isNull':
      return negatedUnless(input.isNull!, { is_null: { key } });
  }
}

/** Qdrant's any/except lists hold strings or integers only. */
function listValues(values: Array<string | number | boolean>, path: string): Array<string | number> {
  return values.map((v, i) => {
    if (typeof v === 'boolean') throw invalid(`${path}[${i}]`, 'any and except take strings or numbers; use match for a boolean');
    return v;
  });
}

/** `isEmpty: false` means "not empty": Qdrant says that with a nested must_not. */
function negatedUnless(positive: boolean, condition: Condition): Condition {
  return positive ? condition : { must_not: [condition] };
}

function toRange(input: RangeInput, path: string): { gt?: number; gte?: number; lt?: number; lte?: number } {
  const range: { gt?: number; gte?: number; lt?: number; lte?: number } = {};
  for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
    const value = input[bound];
    if (value != null) range[bound] = value;
  }
  if (Object.keys(range).length === 0) throw invalid(`${path}.range`, 'a range needs at least one of gt, gte, lt, lte');
  return range;
}
