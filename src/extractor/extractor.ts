/**
 * image_extractor v1 with one feature's model: pixels at the model's input size (media/ decodes and
 * resizes to `imageSize`) or texts in, L2-normalised SigLIP embeddings out.
 * Inference runs behind the inference port (worker threads in this process, or
 * a KServe v2 server); concurrent callers are coalesced into batches of up to
 * `batchSize`.
 */
import { performance } from 'node:perf_hooks';
import { createLimiter } from '../scheduling/concurrency-limit.ts';
import type { Logger } from '../logger.ts';
import type { Metrics, Tower } from '../metrics.ts';
import { createBatcher } from './batcher.ts';
import { DEFAULT_FEATURE, type FeatureDescriptor } from './features/index.ts';
import type { InferenceBackend, InferenceProvider } from './inference/inference-port.ts';
import { l2NormaliseRows } from './inference/onnx-sessions.ts';
import { towerSpecs } from './inference/tower-specs.ts';
import { loadModelFiles, type ModelFiles } from './model-files.ts';
import { type ModelVariant } from './features/index.ts';
import { normalisePixels, type ImageSize, type ModelPixels } from './preprocess.ts';
import { createTextEmbeddingCache } from './text-embedding-cache.ts';
import { assertTextGiven, createTokenizer, type Tokenizer } from './tokenizer.ts';

export interface ExtractorOptions {
  /**
   * The feature the model directory must serve (its dimension and image size are checked).
   * @default DEFAULT_FEATURE (SigLIP base)
   */
  feature?: FeatureDescriptor;
  modelDir: string;
  variant: ModelVariant;
  /** Where the towers run (the composition root builds it from INFERENCE_BACKEND). */
  inference: InferenceProvider;
  /** Gives up loading (a remote inference server that is not up yet is waited for until then). */
  signal?: AbortSignal;
  /** Images per inference batch (the reference pipeline uses 16). */
  batchSize: number;
  /** How long an image that finds the vision tower idle waits for others to share its batch; text never waits. */
  batchWaitMs: number;
  /**
   * Recent query texts whose embeddings are kept (0: none).
   * @default 0
   */
  textCacheEntries?: number;
  logger: Logger;
  /** Batch sizes, queue wait and batch time per tower. */
  metrics?: Metrics;
}

export interface ImageEmbedding {
  embedding: Float32Array;
}

export interface TextEmbedding {
  embedding: Float32Array;
  inputIds: number[];
}

/** Cumulative time per stage, for the benchmark and for operators. */
export interface ExtractorStats {
  images: number;
  /** Rescaling and normalising the handed-over pixels (summed over images). */
  preprocessMs: number;
  batches: number;
  /** Inference and L2 normalisation, summed over batches (serial in the worker). */
  inferenceMs: number;
  /** Text tower runs, and text queries answered from the cache instead. */
  textBatches: number;
  textCacheHits: number;
}

export interface ImageExtractor {
  readonly descriptor: FeatureDescriptor;
  readonly model: ModelFiles;
  /** The size media/ must squash an image to before `embedImage`: the model's processor settings. */
  readonly imageSize: ImageSize;
  stats(): ExtractorStats;
  /** Where the towers run, in words (logs, /readyz). */
  readonly inferenceBackend: string;
  /** Whether the towers can take work now (a remote inference server can go away after start-up). */
  inferenceReady(signal?: AbortSignal): ReturnType<InferenceBackend['ready']>;
  /** INTERNAL_SERVER_ERROR when the pixels are not `imageSize`. */
  embedImage(pixels: ModelPixels, signal?: AbortSignal): Promise<ImageEmbedding>;
  embedText(text: string, signal?: AbortSignal): Promise<TextEmbedding>;
  close(): Promise<void>;
}

/** A tower's input and when it became ready, for the queue-wait metric. */
interface Queued<I> {
  input: I;
  readyAt: number;
}

function splitRows(data: Float32Array, n: number, dim: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) => data.slice(i * dim, (i + 1) * dim));
}

/** The text tower's input, row after row. A plain loop: `BigInt64Array.from` with a mapper took about 8× as long, on every query. */
function int64Rows(rows: number[][]): BigInt64Array {
  const out = new BigInt64Array(rows.reduce((n, row) => n + row.length, 0));
  let k = 0;
  for (const row of rows) for (const id of row) out[k++] = BigInt(id);
  return out;
}

function concat(items: Float32Array[]): Float32Array {
  const size = items[0]?.length ?? 0;
  const out = new Float32Array(items.length * size);
  items.forEach((item, i) => out.set(item, i * size));
  return out;
}

export async function createImageExtractor(opts: ExtractorOptions): Promise<ImageExtractor> {
  const started = performance.now();
  const feature = opts.feature ?? DEFAULT_FEATURE;
  const model = await loadModelFiles(opts.modelDir, opts.variant, feature, { weights: opts.inference.needsLocalWeights });
  const tokenizer: Tokenizer = createTokenizer(model.tokenizerJson, model.tokenizerConfig, {
    maxLength: model.text.maxLength,
  });
  const dim = model.embeddingDim;
  const { height, width } = model.image;
  const files = { vision: model.visionModelPath, text: model.textModelPath };
  const backend = await opts.inference.open(towerSpecs(feature, opts.inference.needsLocalWeights ? files : undefined), opts.signal);
  // Every backend returns the model's own pooler_output; normalising here keeps vectors identical across them.
  const embedRows = async (tower: Tower, data: Float32Array | BigInt64Array, dims: number[]) =>
    splitRows(l2NormaliseRows(await backend.infer(tower, { data, dims }), dims[0] as number, dim), dims[0] as number, dim);

  const freshStats = (): ExtractorStats => ({ images: 0, preprocessMs: 0, batches: 0, inferenceMs: 0, textBatches: 0, textCacheHits: 0 });
  const stats = freshStats();
  /** Runs a tower's batch, recording its size, each input's wait and the batch's time. */
  const measured =
    <I>(tower: Tower, run: (inputs: I[]) => Promise<Float32Array[]>) =>
    async (items: Queued<I>[]): Promise<Float32Array[]> => {
      const t0 = performance.now();
      for (const item of items) opts.metrics?.inferenceQueueSeconds.observe({ tower }, (t0 - item.readyAt) / 1000);
      const rows = await run(items.map((item) => item.input));
      opts.metrics?.inferenceBatchSize.observe({ tower }, items.length);
      opts.metrics?.inferenceSeconds.observe({ tower }, (performance.now() - t0) / 1000);
      return rows;
    };
  const vision = createBatcher<Queued<Float32Array>, Float32Array>({
    maxBatch: opts.batchSize,
    maxWaitMs: opts.batchWaitMs,
    runBatch: measured('vision', async (items) => {
      const t0 = performance.now();
      const rows = await embedRows('vision', concat(items), [items.length, 3, height, width]);
      stats.batches++;
      stats.inferenceMs += performance.now() - t0;
      return rows;
    }),
  });
  const text = createBatcher<Queued<number[]>, Float32Array>({
    maxBatch: opts.batchSize,
    // A query is a person waiting: it goes as soon as the text tower is free.
    maxWaitMs: 0,
    runBatch: measured('text', async (items) => {
      stats.textBatches++;
      return embedRows('text', int64Rows(items), [items.length, model.text.maxLength]);
    }),
  });
  const textCache = createTextEmbeddingCache(opts.textCacheEntries ?? 0);
  const cacheModelKey = `${model.dir}#${model.variant}`;
  // Enough images in flight to fill the next batch while one runs, and no
  // more: a 500-object ingest must not hold 500 decoded tensors.
  const preprocessing = createLimiter(Math.max(2, opts.batchSize * 2));

  const extractor: ImageExtractor = {
    descriptor: feature,
    model,
    imageSize: { width, height },
    stats: () => ({ ...stats }),
    inferenceBackend: backend.description,
    inferenceReady: (signal) => backend.ready(signal),
    async embedImage(pixels, signal) {
      // The slot is held until the embedding is back, so at most two batches'
      // worth of decoded tensors exist at once, however many callers wait;
      // waiting requests (told apart by their signal) take turns for a slot.
      return preprocessing.run(async () => {
        const t0 = performance.now();
        const pixelValues = normalisePixels(pixels, {
          size: { height, width },
          mean: model.image.mean,
          std: model.image.std,
          rescaleFactor: model.image.rescaleFactor,
        });
        stats.images++;
        stats.preprocessMs += performance.now() - t0;
        return { embedding: await vision.submit({ input: pixelValues, readyAt: performance.now() }, signal) };
      }, signal);
    },
    async embedText(query, signal) {
      assertTextGiven(query);
      const normalised = tokenizer.normalize(query);
      const cached = textCache.get(cacheModelKey, normalised);
      if (cached) {
        stats.textCacheHits++;
        return cached;
      }
      const inputIds = tokenizer.encode(query);
      const result = { embedding: await text.submit({ input: inputIds, readyAt: performance.now() }, signal), inputIds };
      textCache.set(cacheModelKey, normalised, result);
      return result;
    },
    close: () => backend.close(),
  };

  // Warm both towers so the first real request does not pay for lazy allocation.
  try {
    await extractor.embedImage({ data: new Uint8Array(width * height * 3).fill(128), width, height });
    await extractor.embedText('warm up');
  } catch (err) {
    await backend.close();
    throw err;
  }
  Object.assign(stats, freshStats());
  if (model.generated) {
    opts.logger.warn('this is a generated test model: its embeddings are random, so search results mean nothing', {
      model: model.description,
      modelDir: model.dir,
    });
  }
  opts.logger.info('model ready', {
    feature: feature.featureUri,
    model: model.description,
    modelDir: model.dir,
    variant: opts.variant,
    inference: backend.description,
    loadMs: Math.round(performance.now() - started),
  });
  return extractor;
}
