/**
 * Combined queries: weighted parts summed as unit vectors in SigLIP's shared
 * space, renormalised, answered by one search. The tiny generated model has
 * random weights: these tests check the arithmetic against stored vectors,
 * never the quality of a ranking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerySearchArgs } from '../../src/api/generated/resolvers-types.ts';
import { toSearchRequest } from '../../src/api/search-request.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import type { SearchQuery, Services } from '../../src/api/services.ts';
import { combineUnitVectors } from '../../src/search/combined-query.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from '../app/harness.ts';
import { threeColourPngs } from '../fixtures/images.ts';

const signal = new AbortController().signal;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((n, x, i) => n + x * b[i]!, 0);

describe('combineUnitVectors', () => {
  it('is the weighted sum of unit vectors, renormalised', () => {
    const combined = combineUnitVectors([
      { vector: Float32Array.of(3, 0), weight: 1 },
      { vector: Float32Array.of(0, 5), weight: -1 },
    ]);
    expect(combined[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(combined[1]).toBeCloseTo(-Math.SQRT1_2, 6);
  });

  it('refuses parts that cancel out', () => {
    expect(() => combineUnitVectors([{ vector: Float32Array.of(1, 2), weight: 2 }, { vector: Float32Array.of(2, 4), weight: -2 }])).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });
});

describe('combined queries against the real services', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let services: Services;
  let ids: string[];
  const vectors = new Map<string, number[]>();

  const search = (query: SearchQuery) => services.search('combined', { query, limit: 3, offset: 0 }, signal);

  beforeAll(async () => {
    app = await startTestApp();
    services = createApiServices(app);
    await app.collections.create('combined', PRODUCTS_EXTRACTOR);
    const images = await threeColourPngs();
    const objects = images.map((bytes, i) => ({ product_image: `data:image/png;base64,${bytes.toString('base64')}`, metadata: { sku: `S-${i}` } }));
    const results = await services.ingest.run('combined', objects, { signal, logger: app.logger });
    ids = results.map((r) => r.documentIds[0]!);
    for (const id of ids) vectors.set(id, (await services.documents.get('combined', id, { withEmbedding: true })).embedding!);
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('scores every hit against sum(weight * unit vector), renormalised, negative examples included', async () => {
    const [a, b] = [ids[0]!, ids[1]!];
    const { hits } = await search({
      kind: 'combined',
      parts: [
        { query: { kind: 'document', documentId: a }, weight: 2 },
        { query: { kind: 'document', documentId: b }, weight: -1 },
      ],
    });
    const raw = vectors.get(a)!.map((x, i) => 2 * x - vectors.get(b)![i]!);
    const norm = Math.sqrt(dot(raw, raw));
    const expected = raw.map((x) => x / norm);
    expect(hits).toHaveLength(3);
    for (const hit of hits) expect(hit.score).toBeCloseTo(dot(expected, vectors.get(hit.id)!), 4);
    expect(hits[0]?.id).toBe(a);
    expect(hits.at(-1)?.id).toBe(b);
    expect(hits.every((h) => h.probability === null)).toBe(true);
  });

  it('treats weights as relative: one part with weight 3 is that part alone', async () => {
    const alone = await search({ kind: 'text', text: 'a green square' });
    const weighted = await search({ kind: 'combined', parts: [{ query: { kind: 'text', text: 'a green square' }, weight: 3 }] });
    expect(weighted.hits.map((h) => h.id)).toEqual(alone.hits.map((h) => h.id));
    weighted.hits.forEach((h, i) => expect(h.score).toBeCloseTo(alone.hits[i]!.score!, 5));
  });

  it('mixes a text and a stored document in one search', async () => {
    const text = await app.model.extractor().embedText('in red');
    const { hits } = await search({
      kind: 'combined',
      parts: [
        { query: { kind: 'document', documentId: ids[1]! }, weight: 1 },
        { query: { kind: 'text', text: 'in red' }, weight: 1 },
      ],
    });
    const sum = vectors.get(ids[1]!)!.map((x, i) => x + text.embedding[i]!);
    const norm = Math.sqrt(dot(sum, sum));
    for (const hit of hits) expect(hit.score).toBeCloseTo(dot(sum, vectors.get(hit.id)!) / norm, 4);
  });
});

describe('combined queries at the API edge', () => {
  const request = (query: Record<string, unknown>) => () =>
    toSearchRequest({ collection: 'c', query, limit: 10, offset: 0 } as unknown as QuerySearchArgs);

  it('refuses parts beside another query form, a zero weight, and only negative parts', () => {
    for (const query of [
      { text: 'x', parts: [{ text: 'y', weight: 1 }] },
      { parts: [{ text: 'y', weight: 0 }] },
      { parts: [{ text: 'y', weight: -1 }] },
      { parts: [] },
      { parts: [{ text: 'y', documentId: 'd', weight: 1 }] },
    ]) {
      expect(request(query), JSON.stringify(query)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    }
    expect(request({ parts: [{ text: 'red', weight: 1 }, { documentId: 'd', weight: -0.5 }] })().query).toEqual({
      kind: 'combined',
      parts: [
        { query: { kind: 'text', text: 'red' }, weight: 1 },
        { query: { kind: 'document', documentId: 'd' }, weight: -0.5 },
      ],
    });
  });
});
