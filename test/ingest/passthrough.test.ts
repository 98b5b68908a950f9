/**
 * Passthrough: the object's fields a collection keeps, copied onto each of
 * its documents at their target paths, with defaults, required fields and
 * declared types enforced per object.
 */
import { describe, expect, it } from 'vitest';
import { parseExtractorConfig } from '../../src/collections/extractor-config.ts';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { passthroughFields } from '../../src/ingest/passthrough.ts';

const rules = (...entries: Array<Record<string, unknown>>) =>
  parseExtractorConfig({ feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'img' }, field_passthrough: entries })
    .fieldPassthrough;

function refusal(object: unknown, passthrough: ReturnType<typeof rules>): SightlineError {
  try {
    passthroughFields(object, passthrough);
  } catch (err) {
    if (err instanceof SightlineError) return err;
    throw err;
  }
  throw new Error('expected the object to be refused');
}

/** Plain JSON, as the store will keep it. */
const stored = (fields: Record<string, unknown>) => JSON.parse(JSON.stringify(fields)) as unknown;

describe('passthroughFields', () => {
  it('copies each source path to its target path, nested values and arrays whole, and nothing else', () => {
    const fields = passthroughFields(
      { img: 'x', metadata: { sku: 'A-1', brand: 'Acme', sizes: [38, 39], dims: { w: 1 } }, secret: 'not kept' },
      rules({ source_path: 'metadata.sku' }, { source_path: 'metadata.brand', target_path: 'brand' }, { source_path: 'metadata.sizes', target_path: 'spec.sizes' }, { source_path: 'metadata.dims' }),
    );
    expect(stored(fields)).toEqual({ metadata: { sku: 'A-1', dims: { w: 1 } }, brand: 'Acme', spec: { sizes: [38, 39] } });
  });

  it('writes the default only when the field is absent: a null the object sends is kept', () => {
    const brand = rules({ source_path: 'brand', default: 'unknown' });
    expect(stored(passthroughFields({}, brand))).toEqual({ brand: 'unknown' });
    expect(stored(passthroughFields({ brand: null }, brand))).toEqual({ brand: null });
    expect(stored(passthroughFields({ brand: 'Acme' }, brand))).toEqual({ brand: 'Acme' });
  });

  it('leaves an absent optional field without a default out, rather than storing null', () => {
    expect(stored(passthroughFields({ other: 1 }, rules({ source_path: 'metadata.sku' })))).toEqual({});
  });

  it('refuses an object without a required field with MISSING_INPUT_FIELD naming it', () => {
    const err = refusal({ metadata: {} }, rules({ source_path: 'metadata.sku', required: true }));
    expect(err).toMatchObject({ code: ErrorCode.MISSING_INPUT_FIELD, details: { field: 'metadata.sku' } });
    expect(stored(passthroughFields({ metadata: { sku: '' } }, rules({ source_path: 'metadata.sku', required: true })))).toEqual({ metadata: { sku: '' } });
  });

  it.each([
    ['float', 'cheap'],
    ['integer', 1.5],
    ['bool', 'yes'],
    ['keyword', 42],
    ['datetime', 'last tuesday'],
  ])('refuses a value its declared type (%s) cannot hold with INVALID_FIELD_VALUE', (type, value) => {
    const err = refusal({ field: value }, rules({ source_path: 'field', type }));
    expect(err).toMatchObject({ code: ErrorCode.INVALID_FIELD_VALUE, details: { field: 'field', type } });
  });

  it('reads own properties only: inherited names are absent, and the result reaches no prototype', () => {
    const fields = passthroughFields({}, rules({ source_path: 'toString', default: 'own' }, { source_path: 'hasOwnProperty' }));
    expect(stored(fields)).toEqual({ toString: 'own' });
    expect(Object.getPrototypeOf(fields)).toBeNull();
  });
});
