/**
 * The search service on its own: a real embedded store and collection
 * service, and a stub extractor that sees colour perfectly (a red image or
 * the text "red" is the first axis, green the second, blue the third). What
 * is under test is the service's own work: which vector it asks the store
 * for, what it hands back, and what it refuses before doing any work.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectionService, IMAGE_FEATURE } from '../../src/collections/collection-service.ts';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { DEFAULT_FEATURE } from '../../src/extractor/features/index.ts';
import { loadModelFiles, type ModelFiles } from '../../src/extractor/model-files.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSearchService, type SearchDeps, type SearchQuery, type SearchRequest } from '../../src/search/search-service.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import type { VectorStore } from '../../src/store/vector-store.ts';
import * as fx from '../fixtures/images.ts';
import { tinyModelDir } from '../fixtures/models.ts';
import { testMedia } from '../fixtures/media.ts';
import { testPdfRenderer } from '../fixtures/pdf-renderer.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';

type Extractor = ReturnType<SearchDeps['extractor']>;
type ModelPixels = Parameters<Extractor['embedImage']>[0];
type ImageSource = Extract<SearchQuery, { kind: 'image' }>['source'];

const DIM = IMAGE_FEATURE.dimensions;
const COLOURS = ['red', 'green', 'blue'] as const;

/** The unit vector of weights over the colour axes. */
function vec(...weights: number[]): Float32Array {
  const v = new Float32Array(DIM);
  weights.forEach((w, i) => (v[i] = w));
  const norm = Math.hypot(...weights);
  return v.map((x) => x / norm);
}

/** The axis of an image's dominant colour, read at the centre of the pixels media/ made for the model. */
function colourAxis({ data, width, height }: ModelPixels): number {
  const at = (Math.floor(height / 2) * width + Math.floor(width / 2)) * 3;
  const rgb = [data[at]!, data[at + 1]!, data[at + 2]!];
  return rgb.indexOf(Math.max(...rgb));
}

/** An extractor that knows colours, and counts what it was asked to embed. */
function colourExtractor(model: ModelFiles) {
  const calls = { images: 0, texts: 0 };
  const extractor: Extractor = {
    descriptor: DEFAULT_FEATURE,
    model,
    imageSize: { width: 8, height: 8 },
    stats: () => ({ images: calls.images, preprocessMs: 0, batches: 0, inferenceMs: 0, textBatches: calls.texts, textCacheHits: 0 }),
    inferenceBackend: 'colours, computed here',
    inferenceReady: async () => ({ ok: true }),
    async embedImage(pixels) {
      calls.images++;
      const axis = colourAxis(pixels);
      return { embedding: vec(...[0, 0, 0].map((_, i) => (i === axis ? 1 : 0))) };
    },
    async embedText(text) {
      calls.texts++;
      const axis = COLOURS.indexOf(text as (typeof COLOURS)[number]);
      if (axis < 0) throw new Error(`the colour extractor knows only ${COLOURS.join(', ')}`);
      return { embedding: vec(...[0, 0, 0].map((_, i) => (i === axis ? 1 : 0))), inputIds: [] };
    },
    close: async () => {},
  };
  return { extractor, calls };
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** The documents every test's collection holds: three pure colours and two mixes. */
const DOCUMENTS = [
  { id: id(1), vector: vec(1, 0, 0), payload: { colour: 'red', price: 10 } },
  { id: id(2), vector: vec(0, 1, 0), payload: { colour: 'green', price: 20 } },
  { id: id(3), vector: vec(0, 0, 1), payload: { colour: 'blue', price: 30 } },
  { id: id(4), vector: vec(1, 0, 1), payload: { colour: 'purple', price: 40 } },
  { id: id(5), vector: vec(1, 1, 0), payload: { colour: 'yellow', price: 50 } },
];

const bytesOf = async (colour: fx.Rgb): Promise<ImageSource> => ({ kind: 'bytes', bytes: await fx.encode(fx.solid(16, 16, colour), 'png'), label: 'query' });

describe('search service', () => {
  let dataDir: string;
  let store: VectorStore;
  let model: ModelFiles;
  const pdf = testPdfRenderer();
  const config = loadConfig({});
  let collections = 0;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-search-'));
    store = createEmbeddedStore({ dataDir, features: [IMAGE_FEATURE], logger: silentLogger });
    // The generated test model's files, for its calibration scalars; its weights are never run here.
    model = await loadModelFiles(tinyModelDir(), 'fp32');
  });
  afterAll(async () => {
    await store?.close();
    await pdf.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh collection holding DOCUMENTS, and a search service over it; `ready: false` is a model still loading. */
  async function setup(opts: { ready?: boolean } = {}) {
    const service = createCollectionService(store);
    const name = `colours-${++collections}`;
    await service.create(name, {
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'image' },
      field_passthrough: [{ source_path: 'colour', type: 'keyword' }, { source_path: 'price', type: 'float' }],
    });
    await store.upsert(name, DOCUMENTS);
    const { extractor, calls } = colourExtractor(model);
    const fetched: ImageSource[] = [];
    const search = createSearchService({
      store,
      collections: service,
      extractor: () => {
        if (opts.ready === false) throw new SightlineError(ErrorCode.MODEL_NOT_READY, 'the model is loading');
        return extractor;
      },
      fetcher: {
        async fetch(ref) {
          fetched.push(ref);
          if (ref.kind !== 'bytes') throw new Error('these tests send bytes only');
          return { bytes: ref.bytes, label: ref.label };
        },
      },
      media: testMedia({ pdf }),
      limits: config.limits,
      accuracy: { ...config.search, exact: true },
    });
    const run = (req: Partial<SearchRequest>) => search.search(name, { query: null, limit: 10, offset: 0, ...req });
    return { name, search, run, calls, fetched };
  }

  const colours = (points: Array<{ payload: Record<string, unknown> }>) => points.map((p) => p.payload.colour);

  it('ranks by a text query through the text tower, with a match probability from the model\'s scalars', async () => {
    const { run, calls } = await setup();
    const { points } = await run({ query: { kind: 'text', text: 'blue' }, limit: 3 });
    expect(colours(points)).toEqual(['blue', 'purple', 'red']);
    expect(points[0]?.score).toBeCloseTo(1, 6);
    expect(points[1]?.score).toBeCloseTo(Math.SQRT1_2, 6);
    const { logit_scale: scale, logit_bias: bias } = model.logits!;
    for (const p of points) expect(p.probability).toBeCloseTo(1 / (1 + Math.exp(-(Math.exp(scale) * p.score! + bias))), 10);
    expect(calls).toEqual({ images: 0, texts: 1 });
  });

  it('ranks by an image query, fetched once and embedded once, with a cosine and no probability', async () => {
    const { run, calls, fetched } = await setup();
    const source = await bytesOf([0, 255, 0]);
    const { points } = await run({ query: { kind: 'image', source }, limit: 2 });
    expect(colours(points)).toEqual(['green', 'yellow']);
    expect(points[0]?.score).toBeCloseTo(1, 6);
    expect(points.every((p) => p.probability === null)).toBe(true);
    expect(fetched).toEqual([source]);
    expect(calls).toEqual({ images: 1, texts: 0 });
  });

  it('takes a PDF as an image query by its first page', async () => {
    const { run, calls } = await setup();
    const bytes = Buffer.from(multiPagePdf([[0, 0, 1], [1, 0, 0]]));
    const { points } = await run({ query: { kind: 'image', source: { kind: 'bytes', bytes, label: 'spec.pdf' } }, limit: 1 });
    expect(colours(points)).toEqual(['blue']);
    expect(calls.images).toBe(1);
  });

  it('searches by a stored document with its stored vector, embedding and fetching nothing, even while the model loads', async () => {
    const { run, calls, fetched } = await setup({ ready: false });
    const { points } = await run({ query: { kind: 'document', documentId: id(4) }, limit: 3 });
    expect(points.map((p) => p.id)).toEqual([id(4), id(1), id(3)]);
    expect(points.map((p) => p.score)).toEqual([expect.closeTo(1, 6), expect.closeTo(Math.SQRT1_2, 6), expect.closeTo(Math.SQRT1_2, 6)]);
    expect(points.every((p) => p.probability === null)).toBe(true);
    expect(calls).toEqual({ images: 0, texts: 0 });
    expect(fetched).toEqual([]);
    // A text query does need the model.
    await expect(run({ query: { kind: 'text', text: 'red' } })).rejects.toMatchObject({ code: ErrorCode.MODEL_NOT_READY });
  });

  it('answers DOCUMENT_NOT_FOUND for a document that is not in this collection', async () => {
    const { run } = await setup();
    const other = await setup();
    await store.delete(other.name, { ids: [id(1)] });
    await expect(other.run({ query: { kind: 'document', documentId: id(1) } })).rejects.toMatchObject({
      code: ErrorCode.DOCUMENT_NOT_FOUND,
      details: { collection: other.name, id: id(1) },
    });
    // ...while the collection that has it still finds it.
    expect((await run({ query: { kind: 'document', documentId: id(1) }, limit: 1 })).points[0]?.id).toBe(id(1));
  });

  it('narrows a ranked search with a filter on passthrough fields', async () => {
    const { run } = await setup();
    const { points } = await run({ query: { kind: 'text', text: 'red' }, filter: { must: [{ key: 'price', range: { gte: 20 } }] }, limit: 10 });
    // Equal scores come in id order.
    expect(colours(points)).toEqual(['purple', 'yellow', 'green', 'blue']);
  });

  it('lists the documents a filter matches without a query, in id order, with no score, a page at a time', async () => {
    const { run } = await setup();
    const filter = { must_not: [{ key: 'colour', match: { value: 'green' } }] };
    const first = await run({ filter, limit: 2, offset: 0 });
    const second = await run({ filter, limit: 2, offset: 2 });
    const rest = await run({ filter, limit: 2, offset: 4 });
    expect([...first.points, ...second.points, ...rest.points].map((p) => p.id)).toEqual([id(1), id(3), id(4), id(5)]);
    expect(first.points.every((p) => p.score === null && p.probability === null)).toBe(true);
    expect(rest.points).toEqual([]);
  });

  it('leaves out hits below scoreThreshold', async () => {
    const { run } = await setup();
    const { points } = await run({ query: { kind: 'text', text: 'red' }, scoreThreshold: 0.5 });
    expect(colours(points).sort()).toEqual(['purple', 'red', 'yellow']);
  });

  it('combines weighted parts into one query: text, image and stored document, a negative weight pushing away', async () => {
    const { run, calls } = await setup();
    // red + blue: purple is the combined vector itself.
    const both = await run({
      query: { kind: 'combined', parts: [{ query: { kind: 'text', text: 'red' }, weight: 1 }, { query: { kind: 'image', source: await bytesOf([0, 0, 255]) }, weight: 1 }] },
      limit: 1,
    });
    expect(colours(both.points)).toEqual(['purple']);
    expect(both.points[0]?.score).toBeCloseTo(1, 6);
    expect(both.points[0]?.probability).toBeNull();
    expect(calls).toEqual({ images: 1, texts: 1 });
    // like yellow (a stored document), not green: red comes before yellow itself.
    const away = await run({
      query: { kind: 'combined', parts: [{ query: { kind: 'document', documentId: id(5) }, weight: 1 }, { query: { kind: 'text', text: 'green' }, weight: -1 }] },
      limit: 2,
    });
    expect(colours(away.points)).toEqual(['red', 'purple']);
    const parts = (a: number, b: number) => [{ query: { kind: 'text' as const, text: 'red' }, weight: a }, { query: { kind: 'text' as const, text: 'green' }, weight: b }];
    const ranked = async (a: number, b: number) => (await run({ query: { kind: 'combined', parts: parts(a, b) } })).points;
    // Red and green alike find yellow; red four times as much as green still finds red first.
    expect(colours((await ranked(1, 1)).slice(0, 2))).toEqual(['yellow', 'red']);
    expect(colours((await ranked(1, 0.25)).slice(0, 2))).toEqual(['red', 'yellow']);
    // Weights are relative: 2 and 1 rank as 1 and 0.5.
    const [double, half] = [await ranked(2, 1), await ranked(1, 0.5)];
    expect(double.map((p) => p.id)).toEqual(half.map((p) => p.id));
    expect(double.map((p) => p.score)).toEqual(half.map((p) => expect.closeTo(p.score!, 6)));
  });

  describe('refuses before any work is done', () => {
    const refusals: Array<[string, Partial<SearchRequest>, string]> = [
      ['limit 0', { limit: 0 }, ErrorCode.BAD_USER_INPUT],
      ['limit 1001', { limit: 1001 }, ErrorCode.BAD_USER_INPUT],
      ['a fractional limit', { limit: 2.5 }, ErrorCode.BAD_USER_INPUT],
      ['a negative offset', { offset: -1 }, ErrorCode.BAD_USER_INPUT],
      ['offset 100001', { offset: 100_001 }, ErrorCode.BAD_USER_INPUT],
      ['a filter on a field the collection does not have', { filter: { must: [{ key: 'size', match: { value: 'M' } }] } }, ErrorCode.INVALID_FILTER],
      ['a filter value the field type cannot hold', { filter: { must: [{ key: 'price', match: { value: 'cheap' } }] } }, ErrorCode.INVALID_FILTER],
      ['another feature URI', { featureUri: 'mixpeek://other@v1/x' }, ErrorCode.FEATURE_MISMATCH],
    ];
    it.each(refusals)('%s', async (_name, req, code) => {
      const { run, calls } = await setup();
      for (const query of [{ kind: 'text' as const, text: 'red' }, null]) {
        await expect(run({ query, ...req })).rejects.toMatchObject({ code });
      }
      expect(calls).toEqual({ images: 0, texts: 0 });
    });

    it('minProbability on an image, document or combined query (they have only a cosine)', async () => {
      const { run, calls } = await setup();
      const queries: SearchQuery[] = [
        { kind: 'image', source: await bytesOf([255, 0, 0]) },
        { kind: 'document', documentId: id(1) },
        { kind: 'combined', parts: [{ query: { kind: 'text', text: 'red' }, weight: 1 }] },
      ];
      for (const query of queries) await expect(run({ query, minProbability: 0.5 })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
      expect(calls).toEqual({ images: 0, texts: 0 });
    });

    it('a collection that does not exist (a listing, a stored document, a filter)', async () => {
      const { search, calls } = await setup();
      const requests: SearchRequest[] = [
        { query: null, limit: 1, offset: 0 },
        { query: { kind: 'document', documentId: id(1) }, limit: 1, offset: 0 },
        { query: { kind: 'text', text: 'red' }, filter: { must: [{ key: 'colour', match: { value: 'red' } }] }, limit: 1, offset: 0 },
      ];
      for (const req of requests) {
        await expect(search.search('no-such-collection', req)).rejects.toMatchObject({ code: ErrorCode.COLLECTION_NOT_FOUND });
      }
      expect(calls).toEqual({ images: 0, texts: 0 });
    });
  });
});
