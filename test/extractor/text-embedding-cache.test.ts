import { describe, expect, it } from 'vitest';
import { createTextEmbeddingCache } from '../../src/extractor/text-embedding-cache.ts';

const value = (x: number) => ({ embedding: Float32Array.of(x, x + 1), inputIds: [x, 1] });

describe('text embedding cache', () => {
  it('returns what was stored, as a copy that callers cannot change', () => {
    const cache = createTextEmbeddingCache(4);
    cache.set('m', 'red shoes', value(1));
    const hit = cache.get('m', 'red shoes')!;
    expect([...hit.embedding]).toEqual([1, 2]);
    hit.embedding[0] = 99;
    hit.inputIds[0] = 99;
    expect(cache.get('m', 'red shoes')).toEqual(value(1));
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = createTextEmbeddingCache(2);
    cache.set('m', 'a', value(1));
    cache.set('m', 'b', value(2));
    cache.get('m', 'a');
    cache.set('m', 'c', value(3));
    expect(cache.size).toBe(2);
    expect(cache.get('m', 'b')).toBeUndefined();
    expect(cache.get('m', 'a')).toEqual(value(1));
    expect(cache.get('m', 'c')).toEqual(value(3));
  });

  it('never answers one model with another model’s embedding', () => {
    const cache = createTextEmbeddingCache(4);
    cache.set('siglip#fp32', 'red shoes', value(1));
    expect(cache.get('siglip#int8', 'red shoes')).toBeUndefined();
  });

  it('stores nothing with 0 entries', () => {
    const cache = createTextEmbeddingCache(0);
    cache.set('m', 'a', value(1));
    expect(cache.get('m', 'a')).toBeUndefined();
  });
});
