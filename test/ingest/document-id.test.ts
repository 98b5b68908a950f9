/**
 * Document ids are derived from where a document came from, so re-ingesting
 * an object updates its documents instead of adding twins, across restarts
 * and upgrades alike.
 */
import { describe, expect, it } from 'vitest';
import { documentId } from '../../src/ingest/document-id.ts';
import { canonicalPointId } from '../../src/store/point-id.ts';

describe('documentId', () => {
  it('gives the same source in the same collection the same id, every time', () => {
    expect(documentId('products', 'https://cdn.example.com/p/1.jpg', undefined)).toBe(documentId('products', 'https://cdn.example.com/p/1.jpg', undefined));
  });

  it('keeps the ids of existing documents across versions (a change would twin every re-ingested document)', () => {
    expect(documentId('products', 'https://cdn.example.com/p/1.jpg', undefined)).toBe(documentId('products', 'https://cdn.example.com/p/1.jpg', 0));
    // Worked by hand: the first 16 bytes of sha-256("products\ns3://catalogue/items/p2.jpg\n2"), version 8 and variant bits set.
    expect(documentId('products', 's3://catalogue/items/p2.jpg', 2)).toBe('59d829e5-8129-885a-830b-92841fbbc6b3');
  });

  it('tells apart collections, sources and PDF pages', () => {
    const ids = [
      documentId('products', 's3://a/1.pdf', 1),
      documentId('products', 's3://a/1.pdf', 2),
      documentId('products', 's3://a/2.pdf', 1),
      documentId('archive', 's3://a/1.pdf', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    // Where one name ends and the next begins counts: "products" + "s3://…" is not "product" + "ss3://…".
    expect(documentId('product', 'ss3://a/1.pdf', 1)).not.toBe(ids[0]);
  });

  it('is a canonical version 8 UUID, which both stores (and Qdrant) accept as it is', () => {
    const id = documentId('products', 'data:sha256:abc', undefined);
    expect(canonicalPointId(id)).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
