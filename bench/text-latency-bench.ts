/**
 * Issue #10's text-query figures, side by side in one run and interleaved
 * query by query, so background load falls on every side alike: the text
 * tower alone (ready ids, this thread), Sightline cold (tokenizer, batcher,
 * worker round trip, a text it has not seen), Sightline cached (a repeated
 * text), and transformers.js on the same model files (its tokenizer and model
 * call, what a Node user would write instead). Every side runs the model with
 * the same onnxruntime session options (threads, spinning), Sightline's text
 * tower's, so the figures differ only by what each side does around the model.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createImageExtractor } from '../src/extractor/extractor.ts';
import { loadModelFiles } from '../src/extractor/model-files.ts';
import { type ModelVariant } from '../src/extractor/features/index.ts';
import { inProcessInference } from '../src/extractor/inference/in-process.ts';
import { openTower, towerSessionOptions } from '../src/extractor/inference/onnx-sessions.ts';
import { startTowerWorker } from '../src/extractor/inference/worker-client.ts';
import { createTokenizer } from '../src/extractor/tokenizer.ts';
import { silentLogger } from '../src/logger.ts';
import { withLoadMark, type LoadMark } from './load-marks.ts';
import { summarise, type Latency } from './measure.ts';

export interface TextLatencyResult {
  variant: ModelVariant;
  rounds: number;
  towerAlone: Latency;
  /** The same ready ids through Sightline's text worker thread: the tower plus the thread round trip. */
  towerInWorker: Latency;
  tokenizeMs: Latency;
  sightlineCold: Latency;
  sightlineCached: Latency;
  /** Absent, with the reason, where transformers.js could not run here. */
  transformersJs: Latency | { unavailable: string };
  load: LoadMark;
}

const SESSION = { executionProvider: 'cpu' as const, cudaDeviceId: 0, threads: 0 };
const QUERIES = ['red leather sneakers', 'a blue ceramic coffee mug', 'stainless steel water bottle with a bamboo lid', 'vintage poster'];
/** transformers.js's dtype names for our variants' files. */
const TJS_DTYPE: Record<ModelVariant, string> = { fp32: 'fp32', fp16: 'fp16', quantized: 'q8', int8: 'int8', uint8: 'uint8' };

type Side = (text: string) => Promise<unknown>;

async function timeIt(side: Side, text: string, into: number[]): Promise<void> {
  const t0 = performance.now();
  await side(text);
  into.push(performance.now() - t0);
}

/** transformers.js reading the same model directory, offline, with the same session options. */
async function transformersJsSide(modelDir: string, variant: ModelVariant): Promise<Side> {
  const tjs = await import('@huggingface/transformers');
  tjs.env.allowRemoteModels = false;
  tjs.env.localModelPath = `${path.dirname(modelDir)}/`;
  const id = path.basename(modelDir);
  const tokenizer = await tjs.AutoTokenizer.from_pretrained(id);
  const model = await tjs.SiglipTextModel.from_pretrained(id, {
    dtype: TJS_DTYPE[variant] as 'fp32',
    session_options: towerSessionOptions(SESSION, 'text'),
  });
  return async (text) => model(tokenizer([text], { padding: 'max_length', truncation: true, max_length: 64 }));
}

async function measure(modelDir: string, variant: ModelVariant, rounds: number): Promise<Omit<TextLatencyResult, 'load'>> {
  const model = await loadModelFiles(modelDir, variant);
  const tokenizer = createTokenizer(model.tokenizerJson, model.tokenizerConfig, { maxLength: model.text.maxLength });
  const tower = await openTower('text', model.textModelPath, model.embeddingDim, SESSION);
  const inWorker = await startTowerWorker('text', model.textModelPath, model.embeddingDim, SESSION);
  const extractor = await createImageExtractor({
    modelDir, variant, inference: inProcessInference({ session: SESSION }), batchSize: 16, batchWaitMs: 0, textCacheEntries: 1024, logger: silentLogger,
  });
  let tjs: Side | { unavailable: string };
  try {
    tjs = await transformersJsSide(modelDir, variant);
  } catch (err) {
    tjs = { unavailable: String(err).slice(0, 200) };
  }
  try {
    // The tower alone gets ready ids: tokenizing is timed on its own, just before.
    let ids = new BigInt64Array(model.text.maxLength);
    const towerSide: Side = () => tower.embed(ids.slice(), [1, model.text.maxLength]);
    const workerSide: Side = () => inWorker.run(ids.slice(), [1, model.text.maxLength]);
    const sides: Array<[Side, number[]]> = [[towerSide, []], [workerSide, []], [(t) => extractor.embedText(t), []]];
    if (typeof tjs === 'function') sides.push([tjs, []]);
    for (const [side] of sides) await side('warm up');
    const tokenize: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // A text no side has seen, so Sightline's cache cannot answer it; the side that goes first rotates.
      const text = `${QUERIES[i % QUERIES.length]} ${i}`;
      const t0 = performance.now();
      ids = BigInt64Array.from(tokenizer.encode(text), BigInt);
      tokenize.push(performance.now() - t0);
      for (let k = 0; k < sides.length; k++) {
        const [side, times] = sides[(i + k) % sides.length]!;
        await timeIt(side, text, times);
      }
    }
    const cached: number[] = [];
    for (let i = 0; i < rounds; i++) await timeIt((t) => extractor.embedText(t), `${QUERIES[i % QUERIES.length]} ${i}`, cached);
    return {
      variant,
      rounds,
      towerAlone: summarise(sides[0]![1]),
      towerInWorker: summarise(sides[1]![1]),
      tokenizeMs: summarise(tokenize),
      sightlineCold: summarise(sides[2]![1]),
      sightlineCached: summarise(cached),
      transformersJs: typeof tjs === 'function' ? summarise(sides[3]![1]) : tjs,
    };
  } finally {
    await Promise.all([tower.release(), inWorker.release(), extractor.close()]);
  }
}

export async function runTextLatencyBench(modelDir: string, variant: ModelVariant, rounds: number): Promise<TextLatencyResult> {
  const { value, load } = await withLoadMark(() => measure(modelDir, variant, rounds));
  return { ...value, load };
}
