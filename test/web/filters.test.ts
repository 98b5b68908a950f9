/** The search page's filter panel: which control a field gets, and the filter its settings send. */
import { describe, expect, it } from 'vitest';
import { MAX_CHOICES, buildFilter, filterControls, type PassthroughField } from '../../web/src/filters.ts';

const field = (sourcePath: string, type: PassthroughField['type'] = null, targetPath: string | null = null): PassthroughField => ({ sourcePath, targetPath, type });

describe('filter controls', () => {
  it('gives keywords their sampled values as choices, numbers a range, booleans a toggle, by declared type', () => {
    const sample = [
      { category: 'shoes', price: 10, sale: true, tags: ['a', 'b'] },
      { category: 'kitchen', price: 2.5, sale: false, tags: ['b', 'c'] },
      { category: 'shoes', price: 40, sale: false },
    ];
    const controls = filterControls([field('category', 'KEYWORD'), field('price', 'INTEGER'), field('sale', 'BOOL'), field('tags', 'KEYWORD')], sample);
    expect(controls).toEqual([
      { kind: 'choices', key: 'category', values: ['kitchen', 'shoes'] },
      { kind: 'range', key: 'price', min: 2.5, max: 40, integer: true },
      { kind: 'toggle', key: 'sale' },
      { kind: 'choices', key: 'tags', values: ['a', 'b', 'c'] },
    ]);
  });

  it('reads nested target paths and infers an undeclared field\'s control from its values', () => {
    const sample = [{ metadata: { brand: 'Acme', size: 42, vegan: true, mixed: 1 } }, { metadata: { brand: 'Zest', size: 38, vegan: false, mixed: 'x' } }];
    const controls = filterControls(
      [field('brand', null, 'metadata.brand'), field('metadata.size'), field('metadata.vegan'), field('metadata.mixed'), field('metadata.absent')],
      sample,
    );
    expect(controls).toEqual([
      { kind: 'choices', key: 'metadata.brand', values: ['Acme', 'Zest'] },
      { kind: 'range', key: 'metadata.size', min: 38, max: 42, integer: false },
      { kind: 'toggle', key: 'metadata.vegan' },
    ]);
  });

  it('asks for typed values when a keyword has too many to tick, and leaves dates out (RangeInput holds numbers only)', () => {
    const sample = Array.from({ length: MAX_CHOICES + 1 }, (_, i) => ({ sku: `SKU-${i}`, when: '2026-11-25T10:00:00Z' }));
    expect(filterControls([field('sku', 'KEYWORD'), field('when', 'DATETIME')], sample)).toEqual([{ kind: 'words', key: 'sku' }]);
  });
});

describe('the filter the settings send', () => {
  it('is null when nothing is set, so the search is not narrowed', () => {
    expect(buildFilter({})).toBeNull();
    expect(buildFilter({ category: { kind: 'any', values: [] }, price: { kind: 'range', gte: null, lte: null } })).toBeNull();
  });

  it('makes every setting a condition that must hold: any-of, a range with the bounds given, a boolean match', () => {
    expect(
      buildFilter({
        category: { kind: 'any', values: ['shoes', 'kitchen'] },
        price: { kind: 'range', gte: 10, lte: null },
        'metadata.vegan': { kind: 'bool', value: false },
      }),
    ).toEqual({
      must: [
        { key: 'category', any: ['shoes', 'kitchen'] },
        { key: 'price', range: { gte: 10 } },
        { key: 'metadata.vegan', match: false },
      ],
    });
  });
});
