/**
 * A collection's feature extractor as clients send it: refused with
 * INVALID_EXTRACTOR_CONFIG (saying what is wrong) or parsed with its
 * defaults, and stored in a form that parses back to the same config.
 */
import { describe, expect, it } from 'vitest';
import { SYSTEM_FIELDS } from '../../src/collections/document-fields.ts';
import { configuredFeature, parseExtractorConfig, serialiseExtractorConfig } from '../../src/collections/extractor-config.ts';
import { ErrorCode, SightlineError } from '../../src/errors.ts';

const MINIMAL = { feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'product_image' } };

/** The config with one passthrough entry. */
const passing = (...entries: Array<Record<string, unknown>>) => ({ ...MINIMAL, field_passthrough: entries });

/** The error parseExtractorConfig throws for `input`; fails the test when it parses. */
function refusal(input: unknown): SightlineError {
  try {
    parseExtractorConfig(input);
  } catch (err) {
    if (err instanceof SightlineError) return err;
    throw err;
  }
  throw new Error(`expected a refusal, but ${JSON.stringify(input)} parsed`);
}

describe('parseExtractorConfig', () => {
  it('applies the defaults: no passthrough, no thumbnails, a target path equal to the source path, not required', () => {
    expect(parseExtractorConfig(MINIMAL)).toEqual({
      featureExtractorName: 'image_extractor',
      version: 'v1',
      inputMappings: { image: 'product_image' },
      fieldPassthrough: [],
      // No model named: the seed's SigLIP base, as for every collection made before models were data.
      parameters: { enableThumbnails: false, model: 'google_siglip_base_v1' },
    });
    expect(parseExtractorConfig(passing({ source_path: 'metadata.sku' })).fieldPassthrough).toEqual([
      { sourcePath: 'metadata.sku', targetPath: 'metadata.sku', required: false },
    ]);
  });

  it('binds the model a collection names, and refuses one the server does not offer, listing those it does', () => {
    expect(configuredFeature(parseExtractorConfig({ ...MINIMAL, parameters: { model: 'google_siglip_large_v1' } })).dimensions).toBe(1024);
    expect(configuredFeature(parseExtractorConfig(MINIMAL)).featureUri).toBe('mixpeek://image_extractor@v1/google_siglip_base_v1');
    for (const model of ['google_siglip_huge_v9', 'constructor', '__proto__', 768]) {
      const refused = (() => {
        try {
          parseExtractorConfig({ ...MINIMAL, parameters: { model } });
        } catch (err) {
          return err as SightlineError;
        }
      })();
      expect(refused?.code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
    }
    expect(() => parseExtractorConfig({ ...MINIMAL, parameters: { model: 'nope' } })).toThrow(/google_siglip_base_v1, google_siglip_large_v1/);
  });

  it('round-trips a full valid config through its stored form', () => {
    const full = {
      ...MINIMAL,
      field_passthrough: [
        { source_path: 'metadata.sku', required: true, type: 'keyword' },
        { source_path: 'metadata.brand', target_path: 'brand', default: 'unknown', type: 'keyword' },
        { source_path: 'metadata.price', target_path: 'price', default: 0, type: 'float' },
        { source_path: 'metadata.details', target_path: 'details', default: { colour: null, sizes: [38, 39] } },
      ],
      parameters: { enable_thumbnails: true, model: 'google_siglip_large_v1' },
    };
    const parsed = parseExtractorConfig(full);
    const stored = serialiseExtractorConfig(parsed);
    // Stored as JSON (in SQLite or a Qdrant payload), then read back.
    expect(parseExtractorConfig(JSON.parse(JSON.stringify(stored)))).toEqual(parsed);
    expect(stored).toEqual({
      ...full,
      field_passthrough: [
        { source_path: 'metadata.sku', target_path: 'metadata.sku', required: true, type: 'keyword' },
        { source_path: 'metadata.brand', target_path: 'brand', default: 'unknown', required: false, type: 'keyword' },
        { source_path: 'metadata.price', target_path: 'price', default: 0, required: false, type: 'float' },
        { source_path: 'metadata.details', target_path: 'details', default: { colour: null, sizes: [38, 39] }, required: false },
      ],
    });
  });

  it.each([
    ['another extractor', { ...MINIMAL, feature_extractor_name: 'text_extractor' }],
    ['another version', { ...MINIMAL, version: 'v2' }],
  ])('refuses %s with INVALID_EXTRACTOR_CONFIG, naming the one this server provides', (_name, input) => {
    const err = refusal(input);
    expect(err.code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
    expect(err.message).toContain('image_extractor@v1');
  });

  describe('no path reaches an object prototype', () => {
    const PROTOTYPE_PATHS = ['__proto__', 'constructor', 'prototype', 'a.__proto__', '__proto__.polluted', 'constructor.prototype.x', 'metadata.prototype'];
    const places: Array<[string, (path: string) => unknown]> = [
      ['input_mappings.image', (path) => ({ ...MINIMAL, input_mappings: { image: path } })],
      ['field_passthrough source_path', (path) => passing({ source_path: path, target_path: 'safe' })],
      ['field_passthrough target_path', (path) => passing({ source_path: 'safe', target_path: path })],
      ['field_passthrough source_path used as the target', (path) => passing({ source_path: path })],
    ];
    const cases = places.flatMap(([place, make]) => PROTOTYPE_PATHS.map((path) => [place, path, make(path)] as const));

    it.each(cases)('refuses %s "%s" with INVALID_EXTRACTOR_CONFIG, naming the segment', (_place, path, input) => {
      const err = refusal(input);
      expect(err.code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
      const segment = path.split('.').find((s) => ['__proto__', 'constructor', 'prototype'].includes(s));
      expect(err.message).toContain(`"${segment}" may not be used as a path segment`);
    });

    it.each([
      ['the root', `{"__proto__": {"polluted": 1}, ${JSON.stringify(MINIMAL).slice(1)}`],
      ['input_mappings', `{"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "x", "__proto__": {"polluted": 1}}}`],
      ['a passthrough entry', JSON.stringify(passing({ source_path: 'a' })).replace('"source_path"', '"__proto__": {"polluted": 1}, "source_path"')],
      ['parameters', JSON.stringify({ ...MINIMAL, parameters: {} }).replace('"parameters":{}', '"parameters": {"__proto__": {"enable_thumbnails": true}}')],
    ])('refuses an own "__proto__" key in %s (as JSON.parse makes one) and pollutes nothing', (_place, text) => {
      const input: unknown = JSON.parse(text);
      expect(refusal(input).code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
      expect('polluted' in {}).toBe(false);
      expect('enable_thumbnails' in {}).toBe(false);
    });
  });

  it.each([
    ['null', null],
    ['a string', 'image_extractor'],
    ['an array', [MINIMAL]],
    ['no input mapping', { ...MINIMAL, input_mappings: {} }],
    ['an empty input mapping', { ...MINIMAL, input_mappings: { image: '' } }],
    ['an input mapping that is no dotted path', { ...MINIMAL, input_mappings: { image: 'metadata..image' } }],
    ['a second input mapping', { ...MINIMAL, input_mappings: { image: 'a', text: 'b' } }],
    ['a misspelt parameter (not silently ignored)', { ...MINIMAL, parameters: { enable_thumbnail: true } }],
    ['an unknown field type', passing({ source_path: 'price', type: 'money' })],
    ['a passthrough entry without a source path', passing({ target_path: 'x' })],
  ])('refuses %s with INVALID_EXTRACTOR_CONFIG', (_name, input) => {
    expect(refusal(input).code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
  });

  it.each(SYSTEM_FIELDS.map((field) => [field]))('refuses a passthrough target that would overwrite the system field %s', (field) => {
    const err = refusal(passing({ source_path: 'metadata.x', target_path: `${field}.nested` }));
    expect(err.code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
    expect(err.message).toContain(`system field "${field}"`);
  });

  it('refuses two passthrough entries writing the same target', () => {
    const err = refusal(passing({ source_path: 'a.brand', target_path: 'brand' }, { source_path: 'b.brand', target_path: 'brand' }));
    expect(err.code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
    expect(err.message).toContain('"brand" is used twice');
  });

  it('refuses a default that is not of the declared type, and takes one that is', () => {
    const err = refusal(passing({ source_path: 'price', default: 'free', type: 'float' }));
    expect(err.code).toBe(ErrorCode.INVALID_EXTRACTOR_CONFIG);
    expect(err.message).toContain('declared float');
    expect(parseExtractorConfig(passing({ source_path: 'price', default: 0.5, type: 'float' })).fieldPassthrough[0]).toMatchObject({ default: 0.5 });
  });
});
