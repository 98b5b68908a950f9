import { describe, expect, it } from 'vitest';
import { toStoreFilter } from '../../src/api/filter-input.ts';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { validateFilter } from '../../src/store/filter.ts';

const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';

function refusal(fn: () => unknown): SightlineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SightlineError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('toStoreFilter', () => {
  it('turns every operator into its Qdrant form', () => {
    expect(
      toStoreFilter({
        must: [
          { key: 'category', match: 'footwear' },
          { key: 'price', range: { gte: 10, lt: 100 } },
          { key: 'tags', any: ['running', 'trail'] },
        ],
        should: [{ key: 'brand', except: ['Northwind'] }, { hasId: [ID_A, ID_B.toUpperCase()] }],
        mustNot: [{ key: 'discontinued', isNull: true }, { key: 'tags', isEmpty: true }],
      }),
    ).toEqual({
      must: [
        { key: 'category', match: { value: 'footwear' } },
        { key: 'price', range: { gte: 10, lt: 100 } },
        { key: 'tags', match: { any: ['running', 'trail'] } },
      ],
      should: [{ key: 'brand', match: { except: ['Northwind'] } }, { has_id: [ID_A, ID_B] }],
      must_not: [{ is_null: { key: 'discontinued' } }, { is_empty: { key: 'tags' } }],
    });
  });

  it('nests filters and keeps a boolean match', () => {
    expect(toStoreFilter({ must: [{ filter: { should: [{ key: 'in_stock', match: true }] } }] })).toEqual({
      must: [{ should: [{ key: 'in_stock', match: { value: true } }] }],
    });
  });

  it('reads isEmpty: false and isNull: false as "not empty" and "not null"', () => {
    expect(toStoreFilter({ must: [{ key: 'tags', isEmpty: false }, { key: 'sku', isNull: false }] })).toEqual({
      must: [{ must_not: [{ is_empty: { key: 'tags' } }] }, { must_not: [{ is_null: { key: 'sku' } }] }],
    });
  });

  it('refuses with the store validator\'s code and rules: one owner for API, CLI and stores', () => {
    const api = refusal(() => toStoreFilter({ must: [{ key: 'a' }] }));
    const store = refusal(() => validateFilter({ must: [{ key: 'a' }] }));
    expect([api.code, store.code]).toEqual([ErrorCode.INVALID_FILTER, ErrorCode.INVALID_FILTER]);
    // Rules only the store states reach the API too: has_id takes UUIDs, match takes no decimals.
    expect(refusal(() => toStoreFilter({ must: [{ hasId: ['doc-1'] }] })).code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal(() => toStoreFilter({ must: [{ key: 'p', match: 1.5 }] })).code).toBe(ErrorCode.INVALID_FILTER);
  });

  it('refuses a condition with no operator or two, naming where', () => {
    const none = refusal(() => toStoreFilter({ must: [{ key: 'a' }] }));
    expect(none.code).toBe(ErrorCode.INVALID_FILTER);
    expect(none.details.path).toBe('filter.must[0]');
    const two = refusal(() => toStoreFilter({ should: [{ key: 'a', match: 1 }], mustNot: [{ key: 'a', match: 1, range: { gt: 1 } }] }));
    expect(two.details.path).toBe('filter.mustNot[0]');
    expect(two.message).toContain('match, range');
  });

  it('refuses a keyed operator without a key, and a key on hasId or a nested filter', () => {
    expect(refusal(() => toStoreFilter({ must: [{ match: 'x' }] })).code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal(() => toStoreFilter({ must: [{ key: ' ', match: 'x' }] })).code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal(() => toStoreFilter({ must: [{ key: 'id', hasId: ['a'] }] })).code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal(() => toStoreFilter({ must: [{ key: 'x', filter: {} }] })).code).toBe(ErrorCode.INVALID_FILTER);
  });

  it('refuses an empty range and booleans in any/except', () => {
    expect(refusal(() => toStoreFilter({ must: [{ key: 'p', range: {} }] })).details.path).toBe('filter.must[0].range');
    expect(refusal(() => toStoreFilter({ must: [{ key: 'p', any: ['a', true] }] })).details.path).toBe('filter.must[0].any[1]');
  });

  it('refuses nesting deeper than 16 levels', () => {
    let deep: { must: { filter: unknown }[] } | Record<string, never> = {};
    for (let i = 0; i < 20; i++) deep = { must: [{ filter: deep }] };
    expect(refusal(() => toStoreFilter(deep as never)).code).toBe(ErrorCode.INVALID_FILTER);
  });
});
