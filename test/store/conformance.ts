/**
 * The behaviour every VectorStore must show, run against the embedded store
 * always and against Qdrant when QDRANT_URL is set. Each test makes its own
 * collection, so tests run in any order and never see each other's points.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { DEFAULT_FEATURE } from '../../src/extractor/features/index.ts';
import type { Filter } from '../../src/store/filter.ts';
import { featureBinding, type FeatureBinding, type PointInput, type VectorStore } from '../../src/store/vector-store.ts';

export const EXPECTED: FeatureBinding = featureBinding(DEFAULT_FEATURE);

/** Opens a store over the same backing data (same folder, same server) offering `features`. */
export type StoreFactory = (features: readonly FeatureBinding[]) => VectorStore;

/** A second feature with its own vector name and width, as a second model has. */
export const SECOND: FeatureBinding = {
  featureUri: 'mixpeek://image_extractor@v1/second_model_v1',
  vectorName: 'second_model_v1',
  dimensions: 16,
  distance: 'cosine',
};

/** A 768-d vector with the given leading components, zeros after. */
export function vec(...head: number[]): Float32Array {
  const v = new Float32Array(EXPECTED.dimensions);
  v.set(head);
  return v;
}

/** Ids with a known order: id(1) < id(2) < … as strings and as UUIDs. */
export function id(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const CONFIG = { feature_extractor_name: 'image_extractor', version: 'v1', input_mappings: { image: 'url' } };

export function vectorStoreConformance(label: string, openStore: StoreFactory): void {
  describe(`${label}: vector store conformance`, () => {
    const created: Array<[VectorStore, string]> = [];
    const opened: VectorStore[] = [];
    const store = (features: readonly FeatureBinding[] = [EXPECTED]) => {
      const s = openStore(features);
      opened.push(s);
      return s;
    };
    const collection = async (s: VectorStore, points: PointInput[] = [], feature = EXPECTED) => {
      const name = `t_${randomUUID().slice(0, 8)}`;
      await s.createCollection(name, { feature, config: CONFIG });
      created.push([s, name]);
      if (points.length > 0) await s.upsert(name, points);
      return name;
    };
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (err: { code?: string }) => err.code);

    afterEach(async () => {
      for (const [s, name] of created.splice(0)) await s.deleteCollection(name).catch(() => undefined);
      for (const s of opened.splice(0)) await s.close();
    });

    it('creates, lists, gets with a point count, and deletes a collection', async () => {
      const s = store();
      const name = await collection(s);
      expect(await codeOf(s.createCollection(name, { feature: EXPECTED, config: CONFIG }))).toBe(ErrorCode.COLLECTION_EXISTS);
      await s.upsert(name, [
        { id: id(1), vector: vec(1), payload: {} },
        { id: id(2), vector: vec(0, 1), payload: {} },
      ]);
      const got = await s.getCollection(name);
      expect(got).toMatchObject({ name, feature: EXPECTED, config: CONFIG, pointCount: 2 });
      expect(Number.isNaN(Date.parse(got!.createdAt))).toBe(false);
      expect((await s.listCollections()).find((c) => c.name === name)).toMatchObject({ pointCount: 2 });
      expect(await s.deleteCollection(name)).toBe(true);
      expect(await s.getCollection(name)).toBeUndefined();
      expect(await s.deleteCollection(name)).toBe(false);
      expect(await codeOf(s.count(name))).toBe(ErrorCode.COLLECTION_NOT_FOUND);
      expect(await codeOf(s.search(name, { vector: vec(1), limit: 1 }))).toBe(ErrorCode.COLLECTION_NOT_FOUND);
    });

    it('refuses a collection bound to another feature instead of re-indexing it', async () => {
      const name = await collection(store(), [{ id: id(1), vector: vec(1), payload: {} }]);
      const other = store([{ ...EXPECTED, featureUri: 'mixpeek://image_extractor@v2/other', dimensions: 512 }]);
      expect(await codeOf(other.getCollection(name))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await codeOf(other.search(name, { vector: new Float32Array(512), limit: 1 }))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await codeOf(other.createCollection(`${name}x`, { feature: EXPECTED, config: {} }))).toBe(ErrorCode.FEATURE_MISMATCH);
      // The same feature offered with another width (a changed model) is refused too, never re-indexed.
      const resized = store([{ ...EXPECTED, dimensions: 512 }]);
      expect(await codeOf(resized.count(name))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await store().count(name)).toBe(1);
    });

    it("keeps collections of two features side by side, each sized and named by its own binding", async () => {
      const s = store([EXPECTED, SECOND]);
      const small = (...head: number[]) => Object.assign(new Float32Array(SECOND.dimensions), head);
      const base = await collection(s, [{ id: id(1), vector: vec(1), payload: { k: 'base' } }]);
      const second = await collection(s, [{ id: id(2), vector: small(0, 1), payload: { k: 'second' } }], SECOND);
      expect((await s.getCollection(second))?.feature).toEqual(SECOND);
      const [hit] = await s.search(second, { vector: small(0, 1), limit: 1, withVector: true });
      expect(hit).toMatchObject({ id: id(2), payload: { k: 'second' } });
      expect(hit!.vector).toHaveLength(SECOND.dimensions);
      expect((await s.search(base, { vector: vec(1), limit: 1 }))[0]?.id).toBe(id(1));
      // A vector of the other feature's width is refused with a code, in both directions.
      expect(await codeOf(s.upsert(second, [{ id: id(3), vector: vec(1), payload: {} }]))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await codeOf(s.search(base, { vector: small(1), limit: 1 }))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await s.count(second)).toBe(1);
      // A store that does not offer the second feature refuses its collection, and keeps serving the other.
      const baseOnly = store();
      expect(await codeOf(baseOnly.count(second))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await baseOnly.count(base)).toBe(1);
    });

    it('round-trips payloads exactly and vectors normalised', async () => {
      const s = store();
      const payload = {
        source: 'https://example.com/a.jpg',
        page: 1,
        price: 19.99,
        ok: true,
        nothing: null,
        tags: ['a', 'b'],
        metadata: { category: 'shoes', sizes: [40, 41], 'dotted.key': 'ü → 🙂' },
      };
      const name = await collection(s, [{ id: id(7).toUpperCase(), vector: vec(3, 4), payload }]);
      const [point] = await s.get(name, [id(7)], { withVector: true });
      expect(point!.id).toBe(id(7));
      expect(point!.payload).toEqual(payload);
      expect(point!.vector![0]).toBeCloseTo(0.6, 6);
      expect(point!.vector![1]).toBeCloseTo(0.8, 6);
      expect(point!.vector!.slice(2).every((x) => x === 0)).toBe(true);
      expect((await s.get(name, [id(7)]))[0]!.vector).toBeUndefined();
      expect(await s.get(name, [id(99)])).toEqual([]);
    });

    it('updates a point upserted again under the same id, without a twin', async () => {
      const s = store();
      const name = await collection(s, [{ id: id(1), vector: vec(1), payload: { v: 1 } }]);
      await s.upsert(name, [{ id: id(1), vector: vec(0, 1), payload: { v: 2 } }]);
      expect(await s.count(name)).toBe(1);
      const [hit] = await s.search(name, { vector: vec(0, 1), limit: 5 });
      expect(hit).toMatchObject({ id: id(1), payload: { v: 2 } });
      expect(hit!.score).toBeCloseTo(1, 6);
    });

    it('keeps the last of the points one upsert gives the same id, as Qdrant does (qdrant/qdrant#9585)', async () => {
      const s = store();
      const name = await collection(s);
      await s.upsert(name, [
        { id: id(1), vector: vec(1), payload: { v: 1 } },
        { id: id(2), vector: vec(1, 1), payload: { v: 2 } },
        { id: id(1), vector: vec(0, 1), payload: { v: 3 } },
      ]);
      expect(await s.count(name)).toBe(2);
      const [hit] = await s.search(name, { vector: vec(0, 1), limit: 5 });
      expect(hit).toMatchObject({ id: id(1), payload: { v: 3 } });
      expect(hit!.score).toBeCloseTo(1, 6);
    });

    it("refuses vectors not of the collection's width (FEATURE_MISMATCH) and ids that are not UUIDs (INVALID_DOCUMENT_ID)", async () => {
      const s = store();
      const name = await collection(s);
      expect(await codeOf(s.upsert(name, [{ id: id(1), vector: new Float32Array(3), payload: {} }]))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await codeOf(s.upsert(name, [{ id: 'doc-1', vector: vec(1), payload: {} }]))).toBe(ErrorCode.INVALID_DOCUMENT_ID);
      expect(await codeOf(s.get(name, ['doc-1']))).toBe(ErrorCode.INVALID_DOCUMENT_ID);
      expect(await codeOf(s.search(name, { vector: new Float32Array(767), limit: 1 }))).toBe(ErrorCode.FEATURE_MISMATCH);
      expect(await s.count(name)).toBe(0);
    });

    it('deletes by ids and by filter, reporting how many went', async () => {
      const s = store();
      const points = [1, 2, 3, 4, 5].map((n) => ({ id: id(n), vector: vec(1, n), payload: { n, brand: n % 2 ? 'odd' : 'even' } }));
      const name = await collection(s, points);
      expect(await s.delete(name, { ids: [id(1), id(99)] })).toBe(1);
      expect(await s.delete(name, { filter: { must: [{ key: 'brand', match: { value: 'even' } }] } })).toBe(2);
      expect((await s.scroll(name, { limit: 10 })).map((p) => p.id)).toEqual([id(3), id(5)]);
    });

    it('counts a point named twice in one delete once', async () => {
      const s = store();
      const name = await collection(s, [
        { id: id(1), vector: vec(1), payload: {} },
        { id: id(2), vector: vec(0, 1), payload: {} },
      ]);
      expect(await s.delete(name, { ids: [id(1), id(1).toUpperCase()] })).toBe(1);
      expect(await s.count(name)).toBe(1);
    });

    it('counts with and without a filter', async () => {
      const s = store();
      const points = [1, 2, 3, 4].map((n) => ({ id: id(n), vector: vec(1), payload: { price: n * 10, tags: n > 2 ? ['sale'] : [] } }));
      const name = await collection(s, points);
      expect(await s.count(name)).toBe(4);
      expect(await s.count(name, { must: [{ key: 'price', range: { gte: 20, lt: 40 } }] })).toBe(2);
      expect(await s.count(name, { must: [{ key: 'tags', match: { value: 'sale' } }] })).toBe(2);
      expect(await s.count(name, { must: [{ is_empty: { key: 'tags' } }] })).toBe(2);
      expect(await codeOf(s.count(name, { must: [{ key: 'price', match: { value: 1.5 } }] }))).toBe(ErrorCode.INVALID_FILTER);
    });

    it('orders hits by cosine similarity with the scores computed by hand', async () => {
      const s = store();
      const name = await collection(s, [
        { id: id(1), vector: vec(-2), payload: { name: 'opposite' } },
        { id: id(2), vector: vec(0, 5), payload: { name: 'orthogonal' } },
        { id: id(3), vector: vec(1, 1), payload: { name: 'diagonal' } },
        { id: id(4), vector: vec(7), payload: { name: 'same' } },
        { id: id(5), vector: vec(3, 4), payload: { name: 'three-four' } },
      ]);
      const hits = await s.search(name, { vector: vec(2), limit: 10, withVector: true });
      expect(hits.map((h) => h.payload.name)).toEqual(['same', 'diagonal', 'three-four', 'orthogonal', 'opposite']);
      const expected = [1, Math.SQRT1_2, 0.6, 0, -1];
      hits.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!, 6));
      expect(hits[0]!.vector![0]).toBeCloseTo(1, 6);
    });

    it('pages search results with limit and offset, and honours a score threshold', async () => {
      const s = store();
      // Scores 1, .8, .6, .4, .2 against e1: the angle grows with n.
      const points = [1, 2, 3, 4, 5].map((n) => {
        const c = 1.2 - n * 0.2;
        return { id: id(n), vector: vec(c, Math.sqrt(1 - c * c)), payload: { n } };
      });
      const name = await collection(s, points);
      const page = await s.search(name, { vector: vec(1), limit: 2, offset: 1 });
      expect(page.map((h) => h.payload.n)).toEqual([2, 3]);
      const above = await s.search(name, { vector: vec(1), limit: 10, scoreThreshold: 0.5 });
      expect(above.map((h) => h.payload.n)).toEqual([1, 2, 3]);
      const filtered = await s.search(name, { vector: vec(1), limit: 10, filter: { must_not: [{ key: 'n', match: { any: [1, 3] } }] } });
      expect(filtered.map((h) => h.payload.n)).toEqual([2, 4, 5]);
    });

    it('lists filtered points in a stable id order, paging without repeats or gaps', async () => {
      const s = store();
      const order = [9, 3, 14, 1, 7, 12, 5, 10, 2, 8, 13, 4, 6, 11];
      const points = order.map((n) => ({ id: id(n), vector: vec(1, n), payload: { n, even: n % 2 === 0 } }));
      const name = await collection(s, points);
      const filter = { must: [{ key: 'even', match: { value: true } }] };
      const pages = [];
      for (let offset = 0; offset < 10; offset += 3) pages.push(...(await s.scroll(name, { filter, limit: 3, offset })));
      expect(pages.map((p) => p.payload.n)).toEqual([2, 4, 6, 8, 10, 12, 14]);
      expect((await s.scroll(name, { limit: 100 })).map((p) => p.id)).toEqual([...order].sort((a, b) => a - b).map(id));
    });

    it('refuses a delete that names nothing, and deletes everything only when told all: true', async () => {
      const s = store();
      const name = await collection(s, [1, 2, 3].map((n) => ({ id: id(n), vector: vec(1, n), payload: { n } })));
      for (const selector of [{ ids: [] }, { filter: {} }, { filter: { should: [] } }, { filter: { must: [{ must_not: [] }] } }, {}]) {
        expect(await codeOf(s.delete(name, selector as never)), JSON.stringify(selector)).toBe(ErrorCode.UNSCOPED_DELETE);
      }
      expect(await s.count(name)).toBe(3);
      expect(await s.delete(name, { all: true })).toBe(3);
      expect(await s.count(name)).toBe(0);
    });

    it('reads an empty clause as no constraint, should included (Qdrant drops it)', async () => {
      const s = store();
      const name = await collection(s, [1, 2, 3].map((n) => ({ id: id(n), vector: vec(1, n), payload: { n } })));
      expect(await s.count(name, { should: [] })).toBe(3);
      expect(await s.count(name, { must: [], must_not: [] })).toBe(3);
      expect(await s.count(name, { must_not: [{ should: [] }] })).toBe(0);
      expect(await s.count(name, { should: [], must: [{ key: 'n', match: { value: 2 } }] })).toBe(1);
      expect((await s.scroll(name, { filter: { must: [{ should: [] }] }, limit: 10 })).length).toBe(3);
      expect(await s.search(name, { vector: vec(1), limit: 10, filter: { must_not: [{ should: [] }] } })).toEqual([]);
      expect(await s.delete(name, { filter: { must: [{ should: [] }, { key: 'n', match: { value: 1 } }] } })).toBe(1);
    });

    it('keeps only scores strictly greater than the score threshold', async () => {
      const s = store();
      const name = await collection(s, [
        { id: id(1), vector: vec(1), payload: { name: 'same' } },
        { id: id(2), vector: vec(0, 1), payload: { name: 'orthogonal' } },
        { id: id(3), vector: vec(-1), payload: { name: 'opposite' } },
      ]);
      const names = async (scoreThreshold: number) =>
        (await s.search(name, { vector: vec(1), limit: 10, scoreThreshold })).map((h) => h.payload.name);
      expect(await names(0)).toEqual(['same']);
      expect(await names(-1)).toEqual(['same', 'orthogonal']);
      expect(await names(1)).toEqual([]);
      expect(await names(0.999)).toEqual(['same']);
    });

    it('answers is_null and is_empty over arrays as Qdrant does for an indexed field', async () => {
      const s = store();
      const values: Record<number, unknown> = { 1: null, 2: [], 3: [null], 4: ['a', null], 5: ['a'], 6: 'a', 7: undefined };
      const name = await collection(
        s,
        Object.entries(values).map(([n, tags]) => ({ id: id(Number(n)), vector: vec(1), payload: tags === undefined ? { n: Number(n) } : { n: Number(n), tags } })),
      );
      // Every passthrough field has a payload index (and so Qdrant's NullIndex) before it is filtered on.
      await s.ensurePayloadIndexes(name, [{ key: 'tags', type: 'keyword' }]);
      const ns = async (filter: Filter) => (await s.scroll(name, { filter, limit: 10 })).map((p) => p.payload.n);
      expect(await ns({ must: [{ is_null: { key: 'tags' } }] })).toEqual([1, 3, 4]);
      expect(await ns({ must: [{ is_empty: { key: 'tags' } }] })).toEqual([1, 2, 7]);
      expect(await ns({ must_not: [{ is_empty: { key: 'tags' } }] })).toEqual([3, 4, 5, 6]);
    });

    it('keeps each collection to itself', async () => {
      const s = store();
      const a = await collection(s, [{ id: id(1), vector: vec(1), payload: { in: 'a' } }]);
      const b = await collection(s, [{ id: id(1), vector: vec(0, 1), payload: { in: 'b' } }]);
      expect((await s.get(a, [id(1)]))[0]!.payload).toEqual({ in: 'a' });
      await s.delete(b, { ids: [id(1)] });
      expect(await s.count(a)).toBe(1);
      expect(await s.count(b)).toBe(0);
    });
  });
}
