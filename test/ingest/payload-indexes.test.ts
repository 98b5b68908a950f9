import { describe, expect, it } from 'vitest';
import { inferredFieldType } from '../../src/collections/field-types.ts';
import { createPayloadIndexer } from '../../src/ingest/payload-indexes.ts';
import type { VectorStore } from '../../src/store/vector-store.ts';

describe('inferredFieldType', () => {
  it('indexes an undeclared field from its first value, a number always as a float', () => {
    expect(inferredFieldType('Acme')).toBe('keyword');
    expect(inferredFieldType(['summer', 'sale'])).toBe('keyword');
    expect(inferredFieldType(42)).toBe('float');
    expect(inferredFieldType(19.99)).toBe('float');
    expect(inferredFieldType(true)).toBe('bool');
    expect(inferredFieldType(null)).toBeUndefined();
    expect(inferredFieldType({ nested: 1 })).toBeUndefined();
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
    await index(products, rules, { metadata: { sku: 'A-2' }, price: 10 });
    await index(products, rules, { metadata: { sku: 'A-3' }, price: 19.99 });
    // The same name created again is a new collection: its indexes are made again.
    await index({ ...products, createdAt: '2026-11-26T00:00:00.000Z' }, rules, { metadata: { sku: 'B-1' } });
    expect(calls).toEqual([
      ['products', [{ key: 'metadata.sku', type: 'keyword' }]],
      ['products', [{ key: 'price', type: 'float' }]],
      ['products', [{ key: 'metadata.sku', type: 'keyword' }]],
    ]);
  });
});

describe('declared field types', () => {
  it('index from the declared type, once, before any value is seen', async () => {
    const calls: unknown[] = [];
    const store = { ensurePayloadIndexes: async (c: string, f: unknown) => void calls.push([c, f]) } as unknown as VectorStore;
    const index = createPayloadIndexer(store);
    const products = { name: 'typed', createdAt: '2026-11-25T00:00:00.000Z' };
    const rules = [
      { sourcePath: 'qty', targetPath: 'qty', required: false, type: 'integer' as const },
      { sourcePath: 'at', targetPath: 'at', required: false, type: 'datetime' as const },
    ];
    await index(products, rules, {});
    await index(products, rules, { qty: 3, at: '2026-11-25T10:00:00Z' });
    expect(calls).toEqual([['typed', [{ key: 'qty', type: 'integer' }, { key: 'at', type: 'datetime' }]]]);
  });
});
