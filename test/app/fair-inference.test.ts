/**
 * One request's many text searches (what 500 aliased `search` fields become)
 * must not hold back an ordinary search sent beside them: the inference queue
 * serves requests in turn. Order of completion is observed, never timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTS_EXTRACTOR, startTestApp } from './harness.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('inference fairness between requests', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ INFERENCE_BATCH_SIZE: '4' });
    await app.collections.create('fair', PRODUCTS_EXTRACTOR);
  });
  afterAll(() => app?.dispose());

  it('answers an ordinary search before most of a big request sent just before it', async () => {
    const finished: string[] = [];
    const search = (text: string, signal: AbortSignal) =>
      app.search.search('fair', { query: { kind: 'text', text }, limit: 1, offset: 0 }, signal).then(() => finished.push(text));
    // Distinct texts, so no query cache can answer any of them without inference.
    const big = new AbortController().signal;
    const bigSearches = Array.from({ length: 120 }, (_, i) => search(`big request query ${i}`, big));
    const ordinary = search('ordinary query', new AbortController().signal);
    await Promise.all([...bigSearches, ordinary]);
    // First-come-first-served would answer it last (index 120); in turn it rides in the second batch or so.
    expect(finished.indexOf('ordinary query')).toBeLessThan(20);
  });

  it('embeds an ordinary image query before most of a big request\'s images sent just before it', async () => {
    const extractor = app.model.extractor();
    const finished: string[] = [];
    const { width, height } = extractor.imageSize;
    const image = (shade: number) => ({ data: new Uint8Array(width * height * 3).fill(shade), width, height });
    const embed = (name: string, shade: number, signal: AbortSignal) => extractor.embedImage(image(shade), signal).then(() => finished.push(name));
    const big = new AbortController().signal;
    const bigImages = Array.from({ length: 60 }, (_, i) => embed(`big ${i}`, i, big));
    const ordinary = embed('ordinary', 255, new AbortController().signal);
    await Promise.all([...bigImages, ordinary]);
    // Preprocessing slots (2 batches) and batches both serve requests in turn: first-come-first-served would answer it last.
    expect(finished.indexOf('ordinary')).toBeLessThan(20);
  });
});
