import { describe, expect, it } from 'vitest';
import { createPayloadIndexer, indexTypeOf } from '../../src/ingest/payload-indexes.ts';
import type { VectorStore } from '../../src/store/vector-store.ts';

describe('indexTypeOf', () => {
  it('maps passthrough values to payload index types', () => {
    expect(indexTypeOf('Acme')).toBe('keyword');
    expect(indexTypeOf(['summer', 'sale'])).toBe('keyword');
    expect(indexTypeOf(42)).toBe('integer');
    expect(indexTypeOf(19.99)).toBe('float');
    expect(indexTypeOf(true)).toBe('bool');
    expect(indexTypeOf(null)).toBeUndefined();
    expect(indexTypeOf({ nested: 1 })).toBeUndefined();
  });
});

describe('createPayloadIndexer', () => {
  it('asks the store once per field and collection', async () => {
    const calls: unknown[] = [];
    const store = { ensurePayloadIndexes: async (c: string, f: unknown) => void calls.push([c, f]) } as unknown as VectorStore;
    const index = createPayloadIndexer(store);
    const products = { name: 'products', createdAt: '2026-11-25T00:00:00.000Z' };
    const rules = [
      { sourcePath: 'metadata.sku', targetPath: 'metadata.sku', required: false },
      { sourcePath: 'metadata.price', targetPath: 'price', required: false },
    ];
    await index(products, rules, { metadata: { sku: 'A-1' } });
    await index(products, rules, { metadata: { sku: 'A-2' }, price: 9.5 });
    await index(products, rules, { metadata: { sku: 'A-3' }, price: 3 });
    // The same name created again is a new collection: its indexes are made again.
    await index({ ...products, createdAt: '2026-11-26T00:00:00.000Z' }, rules, { metadata: { sku: 'B-1' } });
    expect(calls).toEqual([
      ['products', [{ key: 'metadata.sku', type: 'keyword' }]],
      ['products', [{ key: 'price', type: 'float' }]],
      ['products', [{ key: 'metadata.sku', type: 'keyword' }]],
    ]);
  });
});
