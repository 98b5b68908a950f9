import { describe, expect, it } from 'vitest';
import { parseExtractorConfig } from '../../src/collections/extractor-config.ts';
import { checkFilterFields } from '../../src/collections/filter-fields.ts';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { validateFilter, type Condition } from '../../src/store/filter.ts';

const extractor = parseExtractorConfig({
  feature_extractor_name: 'image_extractor',
  version: 'v1',
  input_mappings: { image: 'product_image' },
  field_passthrough: [
    { source_path: 'metadata.category' },
    { source_path: 'metadata.price', target_path: 'price', type: 'float' },
    { source_path: 'metadata.stock', target_path: 'stock', type: 'integer' },
    { source_path: 'metadata.brand', target_path: 'brand', type: 'keyword' },
    { source_path: 'metadata.sale', target_path: 'sale', type: 'bool' },
    { source_path: 'metadata.released', target_path: 'released', type: 'datetime' },
    { source_path: 'metadata.tags', target_path: 'tags', type: 'keyword' },
    { source_path: 'details' },
  ],
});

function refusal(condition: Condition): SightlineError | undefined {
  try {
    checkFilterFields(validateFilter({ must: [condition] }), extractor);
    return undefined;
  } catch (err) {
    if (err instanceof SightlineError) return err;
    throw err;
  }
}

describe('filters checked against the collection (no silent empty results)', () => {
  it('refuses a key that is no field, naming the nearest known keys', () => {
    const err = refusal({ key: 'metadata.categroy', match: { value: 'shoes' } });
    expect(err?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(err?.message).toMatch(/unknown field "metadata.categroy".*did you mean metadata\.category\?/);
    expect(refusal({ key: 'categry', match: { value: 'shoes' } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ is_empty: { key: 'nope' } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ must_not: [{ key: 'prise', range: { gt: 1 } }] })?.details.path).toBe('filter.must[0].must_not[0]');
  });

  it('accepts targets, paths under a target, array elements and system fields', () => {
    for (const condition of [
      { key: 'metadata.category', match: { value: 'shoes' } },
      { key: 'details.size.eu', match: { value: 42 } },
      { key: 'tags[]', match: { any: ['sale'] } },
      { key: 'page_number', range: { gte: 2 } },
      { key: 'ingested_at', match: { value: '2026-11-25T10:00:00.000Z' } },
      { has_id: ['00000000-0000-4000-8000-000000000001'] },
    ] as Condition[]) {
      expect(refusal(condition), JSON.stringify(condition)).toBeUndefined();
    }
  });

  it('refuses a value its field type can never match', () => {
    expect(refusal({ key: 'price', match: { value: '100' } })?.message).toMatch(/"price" is a float field, so the value "100" can never match it/);
    expect(refusal({ key: 'price', match: { any: ['cheap'] } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ key: 'stock', match: { except: ['none'] } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ key: 'brand', range: { gte: 1 } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ key: 'brand', match: { value: 7 } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ key: 'sale', match: { value: 'yes' } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ key: 'released', range: { gte: 0 } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ key: 'page_number', match: { value: 'one' } })?.code).toBe(ErrorCode.INVALID_FILTER);
    // The trap: Qdrant's integer index truncates a fractional bound.
    expect(refusal({ key: 'stock', range: { gte: 9.5 } })?.message).toMatch(/whole-number bounds/);
    for (const ok of [
      { key: 'price', range: { gte: 9.5 } },
      { key: 'price', match: { value: 10 } },
      { key: 'stock', range: { gte: 10 } },
      { key: 'sale', match: { value: true } },
      { key: 'tags', match: { value: 'sale' } },
      { key: 'metadata.category', match: { value: 3 } },
    ] as Condition[]) {
      expect(refusal(ok), JSON.stringify(ok)).toBeUndefined();
    }
  });

  it('refuses isNull below a passthrough field, where Qdrant answers without an index', () => {
    expect(refusal({ is_null: { key: 'details.size' } })?.code).toBe(ErrorCode.INVALID_FILTER);
    expect(refusal({ is_null: { key: 'tags' } })).toBeUndefined();
    expect(refusal({ is_null: { key: 'thumbnail_url' } })).toBeUndefined();
    expect(refusal({ is_empty: { key: 'details.size' } })).toBeUndefined();
  });
});
