import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { matchesFilter, validateFilter, type Condition, type Filter } from '../../src/store/filter.ts';
import { id } from './conformance.ts';
import { filterArb, payloadArb } from './filter-arbitraries.ts';
import { referenceMatches } from './filter-reference.ts';

const ID = id(1);
const passes = (payload: Record<string, unknown>, filter: Filter) => matchesFilter(payload, ID, filter);
const field = (condition: Condition): Filter => ({ must: [condition] });

describe('filter semantics (Qdrant)', () => {
  const london = { city: 'London', color: 'red' };
  const berlin = { city: 'Berlin', color: 'blue' };

  it('combines must, should and must_not, nested', () => {
    const f: Filter = {
      should: [{ key: 'city', match: { value: 'London' } }, { key: 'city', match: { value: 'Berlin' } }],
      must_not: [{ must: [{ key: 'city', match: { value: 'London' } }, { key: 'color', match: { value: 'red' } }] }],
    };
    expect(passes(london, f)).toBe(false);
    expect(passes(berlin, f)).toBe(true);
    expect(passes(london, { should: [] })).toBe(true);
    expect(passes(london, { must_not: [{ should: [] }] })).toBe(false);
    expect(passes(london, {})).toBe(true);
  });

  it('walks dotted keys through objects and fans out only where [] says so', () => {
    const p = { metadata: { category: 'shoes' }, items: [{ sku: 'A1' }, { sku: 'B2' }] };
    expect(passes(p, field({ key: 'metadata.category', match: { value: 'shoes' } }))).toBe(true);
    expect(passes(p, field({ key: 'items[].sku', match: { value: 'B2' } }))).toBe(true);
    expect(passes(p, field({ key: 'items.sku', match: { value: 'B2' } }))).toBe(false);
    expect(passes(p, field({ key: 'items[1].sku', match: { value: 'B2' } }))).toBe(true);
  });

  it('passes a condition on an array when any element passes', () => {
    const p = { tags: ['sale', 'new'], sizes: [38, 41] };
    expect(passes(p, field({ key: 'tags', match: { value: 'new' } }))).toBe(true);
    expect(passes(p, field({ key: 'tags', match: { any: ['old', 'sale'] } }))).toBe(true);
    expect(passes(p, field({ key: 'tags', match: { except: ['sale'] } }))).toBe(true);
    expect(passes(p, field({ key: 'tags', match: { except: ['sale', 'new'] } }))).toBe(false);
    expect(passes(p, field({ key: 'sizes', range: { gt: 40 } }))).toBe(true);
  });

  it('matches values only against their own type', () => {
    const p = { n: 1, s: '1', f: 1.5, b: true };
    expect(passes(p, field({ key: 'n', match: { value: 1 } }))).toBe(true);
    expect(passes(p, field({ key: 's', match: { value: 1 } }))).toBe(false);
    expect(passes(p, field({ key: 'f', match: { any: [1, 2] } }))).toBe(false);
    expect(passes(p, field({ key: 'b', match: { value: true } }))).toBe(true);
    expect(passes(p, field({ key: 's', range: { gte: 0 } }))).toBe(false);
  });

  it('fails except on a missing or null field and passes it on another type', () => {
    const except: Condition = { key: 'color', match: { except: ['red'] } };
    expect(passes({}, field(except))).toBe(false);
    expect(passes({ color: null }, field(except))).toBe(false);
    expect(passes({ color: 7 }, field(except))).toBe(true);
    expect(passes({ color: [] }, field(except))).toBe(false);
  });

  it('treats missing, null and [] as empty, and only nulls as null', () => {
    const empty = (p: object) => passes(p as Record<string, unknown>, { must: [{ is_empty: { key: 'r' } }] });
    const isNull = (p: object) => passes(p as Record<string, unknown>, { must: [{ is_null: { key: 'r' } }] });
    expect([{}, { r: null }, { r: [] }, { r: [null] }, { r: 0 }, { r: '' }].map(empty)).toEqual([true, true, true, false, false, false]);
    expect([{}, { r: null }, { r: [] }, { r: [1, null] }, { r: 0 }].map(isNull)).toEqual([false, true, false, true, false]);
  });

  it('selects by point id', () => {
    const upper = 'ABCDEF00-0000-4000-8000-00000000000A';
    const byId = (filter: Filter) => matchesFilter({}, upper.toLowerCase(), filter);
    expect(byId({ must: [{ has_id: [upper] }] })).toBe(false);
    expect(byId(validateFilter({ must: [{ has_id: [upper] }] }))).toBe(true);
    expect(byId({ must: [{ has_id: [ID] }] })).toBe(false);
  });
});

describe('validateFilter', () => {
  const invalid = (input: unknown) => {
    try {
      validateFilter(input);
    } catch (err) {
      expect((err as { code: string }).code).toBe(ErrorCode.INVALID_FILTER);
      return (err as Error).message;
    }
    throw new Error('expected INVALID_FILTER');
  };

  it('names where a bad filter is wrong', () => {
    expect(invalid({ must: [{ key: 'a', match: { value: 'x' } }, { key: 'p', match: { value: 1.5 } }] })).toMatch(
      /^filter\.must\[1\]\.match\.value: .*range for decimals/,
    );
    expect(invalid({ should: [{ key: 'a b', match: { value: 'x' } }] })).toMatch(/^filter\.should\[0\]\.key:/);
    expect(invalid({ must: [{ key: 'a', match: { any: ['x', 1] } }] })).toMatch(/all strings or all integers/);
    expect(invalid({ must: [{ key: 'a', range: { gt: '3' } }] })).toMatch(/range\.gt: expected a number/);
    expect(invalid({ must: [{ key: 'a', match: { value: 'x' }, range: { gt: 1 } }] })).toMatch(/exactly one of match or range/);
    expect(invalid({ must: [{ key: 'a', geo_radius: {} }] })).toMatch(/unsupported field "geo_radius"/);
    expect(invalid({ filter: [] })).toMatch(/unknown or unsupported field "filter"/);
    expect(invalid({ must: [{ has_id: ['doc-1'] }] })).toMatch(/has_id\[0\]: expected a UUID/);
    expect(invalid('{"must":[]}')).toMatch(/^filter: expected an object/);
  });

  it('drops nulls, as GraphQL inputs and Qdrant examples send them', () => {
    expect(validateFilter({ must: [{ key: 'price', range: { gt: null, gte: 100, lt: null, lte: 450 } }], should: null })).toEqual({
      must: [{ key: 'price', range: { gte: 100, lte: 450 } }],
    });
  });

  it('refuses filters nested or sized to exhaust the server', () => {
    let deep: Filter = {};
    for (let i = 0; i < 40; i++) deep = { must: [deep] };
    expect(invalid(deep)).toMatch(/nest at most/);
    expect(invalid({ should: Array.from({ length: 2000 }, () => ({ is_empty: { key: 'a' } })) })).toMatch(/at most 1024/);
  });

  it('accepts every generated filter unchanged', () => {
    fc.assert(
      fc.property(filterArb, (f) => {
        expect(validateFilter(f)).toEqual(f);
      }),
      { numRuns: 200 },
    );
  });
});

describe('matchesFilter against the plain reference evaluator', () => {
  it('agrees on random payloads and filters', () => {
    fc.assert(
      fc.property(payloadArb, filterArb, fc.integer({ min: 0, max: 12 }), (payload, filter, n) => {
        expect(matchesFilter(payload, id(n), filter)).toBe(referenceMatches(payload, id(n), filter));
      }),
      { numRuns: 3000 },
    );
  });
});
