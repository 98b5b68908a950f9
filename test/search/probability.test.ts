/**
 * Match probabilities on text hits, with the tiny generated model (whose
 * siglip_logits.json holds SigLIP's initial scalars: probability =
 * sigmoid(10·cos − 10)). Random weights: this checks the arithmetic and the
 * plumbing, never the quality of the ranking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServices } from '../../src/app/api-services.ts';
import type { Services } from '../../src/api/services.ts';
import { parseSourceRef } from '../../src/sources/index.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from '../app/harness.ts';
import { threeColourPngs } from '../fixtures/images.ts';

const signal = new AbortController().signal;

describe('match probability on search hits', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let services: Services;
  let firstImage: string;

  beforeAll(async () => {
    app = await startTestApp();
    services = createApiServices(app);
    await app.collections.create('calibrated', PRODUCTS_EXTRACTOR);
    const images = await threeColourPngs();
    firstImage = `data:image/png;base64,${images[0]!.toString('base64')}`;
    const objects = images.map((bytes) => ({ product_image: `data:image/png;base64,${bytes.toString('base64')}` }));
    await services.ingest.run('calibrated', objects, { signal, logger: app.logger });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('gives each text hit sigmoid(exp(logit_scale) * score + logit_bias)', async () => {
    const { hits } = await services.search('calibrated', { query: { kind: 'text', text: 'a red square' }, limit: 3, offset: 0 }, signal);
    expect(hits).toHaveLength(3);
    for (const hit of hits) expect(hit.probability).toBeCloseTo(1 / (1 + Math.exp(-(10 * hit.score! - 10))), 10);
  });

  it('leaves out hits below minProbability, the same cut as the equivalent cosine', async () => {
    const all = await services.search('calibrated', { query: { kind: 'text', text: 'a red square' }, limit: 3, offset: 0 }, signal);
    const probabilities = all.hits.map((h) => h.probability!).sort((a, b) => b - a);
    // Between the best and the second best: exactly one hit stays.
    const cut = (probabilities[0]! + probabilities[1]!) / 2;
    const kept = await services.search(
      'calibrated',
      { query: { kind: 'text', text: 'a red square' }, limit: 3, offset: 0, minProbability: cut },
      signal,
    );
    expect(kept.hits.map((h) => h.id)).toEqual([all.hits[0]!.id]);
  });

  it('keeps the cosine alone for an image query, and refuses minProbability there', async () => {
    const source = app.search;
    const query = { kind: 'image' as const, source: parseSourceRef(firstImage) };
    const { points } = await source.search('calibrated', { query, limit: 2, offset: 0 }, signal);
    expect(points[0]?.score).toBeCloseTo(1, 4);
    expect(points.map((p) => p.probability)).toEqual([null, null]);
    await expect(source.search('calibrated', { query, limit: 2, offset: 0, minProbability: 0.5 }, signal)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/minProbability needs a single text query/),
    });
  });
});
