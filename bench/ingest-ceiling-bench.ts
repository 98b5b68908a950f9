/**
 * Issue #10's ingest figure: end-to-end ingest (loopback HTTP → decode →
 * vision tower → embedded store) against the inference-only ceiling, the
 * vision tower alone on ready tensors at batch 16, for one variant, and
 * transformers.js embedding the same JPEGs with the same model files. The
 * ingest runs twice per round: as configured by default (large JPEGs shrunk
 * on load) and with IMAGE_DECODE_FULL_SIZE, the reference processor's order.
 * The sides alternate and keep their fastest run.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModelFiles } from '../src/extractor/model-files.ts';
import { type ModelVariant } from '../src/extractor/features/index.ts';
import { openTower } from '../src/extractor/inference/onnx-sessions.ts';
import { runIngestBench } from './ingest-bench.ts';
import { withLoadMark, type LoadMark } from './load-marks.ts';
import { fastest } from './measure.ts';
import { normaliseOptions, pixelValues } from './model-input.ts';
import type { Photo } from './photos.ts';

export interface IngestStages {
  imagesPerSecond: number;
  /** media/'s one decode and resize, then the extractor's normalisation. */
  preprocessMsPerImage: number;
  inferenceMsPerImage: number;
  /** Images per inference batch, on average. */
  batchSize: number;
  /** The process's CPU time per image, least of the runs. */
  cpuMsPerImage: number;
}

export interface IngestCeilingResult {
  variant: ModelVariant;
  images: number;
  rounds: number;
  ceiling: { imagesPerSecond: number; cpuMsPerImage: number };
  /** The default: large JPEGs shrunk on load. */
  ingest: IngestStages;
  /** IMAGE_DECODE_FULL_SIZE=true: every image decoded at full size first. */
  fullSizeIngest: IngestStages;
  transformersJs: { imagesPerSecond: number } | { unavailable: string };
  load: LoadMark;
}

const SESSION = { executionProvider: 'cpu' as const, cudaDeviceId: 0, threads: 0 };
const BATCH = 16;
const TJS_DTYPE: Record<ModelVariant, string> = { fp32: 'fp32', fp16: 'fp16', quantized: 'q8', int8: 'int8', uint8: 'uint8' };

async function ceiling(modelDir: string, variant: ModelVariant, photos: Photo[]): Promise<{ imagesPerSecond: number; cpuMsPerImage: number }> {
  const model = await loadModelFiles(modelDir, variant);
  const { height, width } = model.image;
  const opts = normaliseOptions(model);
  const tensors = await Promise.all(photos.map((p) => pixelValues(p.bytes, opts)));
  const tower = await openTower('vision', model.visionModelPath, model.embeddingDim, SESSION);
  try {
    const batchOf = (from: number, n: number) => {
      const out = new Float32Array(n * 3 * height * width);
      for (let i = 0; i < n; i++) out.set(tensors[from + i] as Float32Array, i * 3 * height * width);
      return out;
    };
    await tower.embed(batchOf(0, 1), [1, 3, height, width]);
    const [t0, cpu0] = [performance.now(), process.cpuUsage()];
    for (let from = 0; from < photos.length; from += BATCH) {
      const n = Math.min(BATCH, photos.length - from);
      await tower.embed(batchOf(from, n), [n, 3, height, width]);
    }
    const cpu = process.cpuUsage(cpu0);
    return { imagesPerSecond: photos.length / ((performance.now() - t0) / 1000), cpuMsPerImage: (cpu.user + cpu.system) / 1000 / photos.length };
  } finally {
    await tower.release();
  }
}

/** What a Node user would write with transformers.js: its processor and vision model, batches of 8. */
async function transformersJs(modelDir: string, variant: ModelVariant, photos: Photo[]): Promise<{ imagesPerSecond: number }> {
  const tjs = await import('@huggingface/transformers');
  tjs.env.allowRemoteModels = false;
  tjs.env.localModelPath = `${path.dirname(modelDir)}/`;
  const id = path.basename(modelDir);
  const processor = await tjs.AutoProcessor.from_pretrained(id);
  const model = await tjs.SiglipVisionModel.from_pretrained(id, { dtype: TJS_DTYPE[variant] as 'fp32' });
  const embed = async (batch: Photo[]) => {
    const images = await Promise.all(batch.map((p) => tjs.RawImage.fromBlob(new Blob([p.bytes]))));
    return model(await processor(images));
  };
  await embed(photos.slice(0, 1));
  const t0 = performance.now();
  for (let from = 0; from < photos.length; from += 8) await embed(photos.slice(from, from + 8));
  return { imagesPerSecond: photos.length / ((performance.now() - t0) / 1000) };
}

type IngestRun = Awaited<ReturnType<typeof runIngestBench>>;

function stagesOf(runs: IngestRun[]): IngestStages {
  const run = fastest(runs);
  const { images, batches, preprocessMs, inferenceMs } = run.stages;
  return {
    imagesPerSecond: run.imagesPerSecond,
    preprocessMsPerImage: (run.decodeMs + preprocessMs) / images,
    inferenceMsPerImage: inferenceMs / images,
    batchSize: images / batches,
    cpuMsPerImage: Math.min(...runs.map((r) => r.cpuMsPerImage)),
  };
}

async function measure(modelDir: string, variant: ModelVariant, photos: Photo[], rounds: number): Promise<Omit<IngestCeilingResult, 'load'>> {
  const ceilings = [];
  const ingests: IngestRun[] = [];
  const fullSize: IngestRun[] = [];
  const tjsRuns = [];
  let tjsError: string | undefined;
  for (let round = 0; round < rounds; round++) {
    ceilings.push(await ceiling(modelDir, variant, photos));
    // Which decode goes first alternates, so neither always runs in the other's wake.
    for (const full of round % 2 === 0 ? [true, false] : [false, true]) {
      const run = await runIngestBench(modelDir, photos, false, variant, full ? { IMAGE_DECODE_FULL_SIZE: 'true' } : {});
      (full ? fullSize : ingests).push(run);
    }
    if (tjsError) continue;
    try {
      tjsRuns.push(await transformersJs(modelDir, variant, photos));
    } catch (err) {
      tjsError = String(err).slice(0, 200);
    }
  }
  return {
    variant,
    images: photos.length,
    rounds,
    ceiling: { ...fastest(ceilings), cpuMsPerImage: Math.min(...ceilings.map((c) => c.cpuMsPerImage)) },
    ingest: stagesOf(ingests),
    fullSizeIngest: stagesOf(fullSize),
    transformersJs: tjsRuns.length > 0 ? fastest(tjsRuns) : { unavailable: tjsError ?? 'not run' },
  };
}

export async function runIngestCeilingBench(modelDir: string, variant: ModelVariant, photos: Photo[], rounds: number): Promise<IngestCeilingResult> {
  const { value, load } = await withLoadMark(() => measure(modelDir, variant, photos, rounds));
  return { ...value, load };
}
