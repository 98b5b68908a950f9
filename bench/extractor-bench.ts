/**
 * Issue #2's figures: Sightline's image pipeline against a naive baseline on
 * the same photos and the same generated `base` model, in one run.
 */
import fs from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import { performance } from 'node:perf_hooks';
import { createImageExtractor, type ImageExtractor } from '../src/extractor/extractor.ts';
import { loadModelFiles } from '../src/extractor/model-files.ts';
import { inProcessInference } from '../src/extractor/inference/in-process.ts';
import { openSiglipSessions, openTower } from '../src/extractor/inference/onnx-sessions.ts';
import { silentLogger } from '../src/logger.ts';
import { fastest, startLagMonitor, summarise, type Latency } from './measure.ts';
import { modelPixels, normaliseOptions, pixelValues } from './model-input.ts';

export interface PipelineResult {
  images: number;
  seconds: number;
  imagesPerSecond: number;
  lag: Latency;
  /** Mean per image. */
  stages: { preprocessMs: number; inferenceMs: number };
}

export interface ExtractorBenchResult {
  sightline: PipelineResult;
  baseline: PipelineResult;
  /** Alternating runs per side; each side reports its fastest. */
  rounds: number;
  textLatency: Latency;
  batchSize: number;
  /** Vision inference alone (no decoding), ms per image at each batch size. */
  inferenceByBatch: Array<{ batch: number; msPerImage: number }>;
}

type Photo = { bytes: Buffer };

const SESSION = { executionProvider: 'cpu' as const, cudaDeviceId: 0, threads: 0 };

/** One image at a time: decode, then infer on the main thread; nothing overlaps. */
async function runBaseline(modelDir: string, photos: Photo[]): Promise<PipelineResult> {
  const model = await loadModelFiles(modelDir, 'fp32');
  const sessions = await openSiglipSessions(model, model.embeddingDim, SESSION);
  const opts = normaliseOptions(model);
  const warm = await pixelValues(photos[0]!.bytes, opts);
  await sessions.vision.embed(warm, [1, 3, model.image.height, model.image.width]);
  let preprocessMs = 0;
  let inferenceMs = 0;
  const lag = startLagMonitor();
  const t0 = performance.now();
  for (const photo of photos) {
    const a = performance.now();
    const pre = await pixelValues(photo.bytes, opts);
    const b = performance.now();
    await sessions.vision.embed(pre, [1, 3, model.image.height, model.image.width]);
    inferenceMs += performance.now() - b;
    preprocessMs += b - a;
  }
  const seconds = (performance.now() - t0) / 1000;
  const lagResult = lag.stop();
  await sessions.release();
  return {
    images: photos.length,
    seconds,
    imagesPerSecond: photos.length / seconds,
    lag: lagResult,
    stages: { preprocessMs: preprocessMs / photos.length, inferenceMs: inferenceMs / photos.length },
  };
}

/** What batching alone buys: the vision tower on ready tensors, per image. */
async function inferenceByBatch(modelDir: string, sizes: number[]): Promise<Array<{ batch: number; msPerImage: number }>> {
  const model = await loadModelFiles(modelDir, 'fp32');
  const tower = await openTower('vision', model.visionModelPath, model.embeddingDim, SESSION);
  const { height, width } = model.image;
  const out = [];
  try {
    for (const batch of sizes) {
      const input = () => new Float32Array(batch * 3 * height * width).fill(0.25);
      await tower.embed(input(), [batch, 3, height, width]);
      const rounds = Math.max(1, Math.round(16 / batch));
      const t0 = performance.now();
      for (let r = 0; r < rounds; r++) await tower.embed(input(), [batch, 3, height, width]);
      out.push({ batch, msPerImage: (performance.now() - t0) / (rounds * batch) });
    }
  } finally {
    await tower.release();
  }
  return out;
}

async function runSightline(extractor: ImageExtractor, photos: Photo[]): Promise<PipelineResult> {
  const before = extractor.stats();
  const lag = startLagMonitor();
  const t0 = performance.now();
  let decodeMs = 0;
  await Promise.all(
    photos.map(async (p) => {
      const a = performance.now();
      const pixels = await modelPixels(p.bytes, extractor.imageSize);
      decodeMs += performance.now() - a;
      return extractor.embedImage(pixels);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const lagResult = lag.stop();
  const after = extractor.stats();
  return {
    images: photos.length,
    seconds,
    imagesPerSecond: photos.length / seconds,
    lag: lagResult,
    stages: {
      preprocessMs: (decodeMs + after.preprocessMs - before.preprocessMs) / photos.length,
      inferenceMs: (after.inferenceMs - before.inferenceMs) / photos.length,
    },
  };
}

async function textLatency(extractor: ImageExtractor, rounds: number): Promise<Latency> {
  const queries = ['red leather sneakers', 'a blue ceramic coffee mug', 'stainless steel water bottle with a bamboo lid', 'vintage poster'];
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await extractor.embedText(queries[i % queries.length] as string);
    times.push(performance.now() - t0);
  }
  return summarise(times);
}

/** Baseline and Sightline alternate, `rounds` runs each; each side keeps its fastest run. */
export async function runExtractorBench(modelDir: string, photos: Photo[], rounds: number, batchSize = 16): Promise<ExtractorBenchResult> {
  const extractor = await createImageExtractor({
    modelDir,
    variant: 'fp32',
    inference: inProcessInference({ session: SESSION }),
    batchSize,
    batchWaitMs: 5,
    logger: silentLogger,
  });
  try {
    const baselines: PipelineResult[] = [];
    const sightlines: PipelineResult[] = [];
    for (let round = 0; round < rounds; round++) {
      baselines.push(await runBaseline(modelDir, photos));
      sightlines.push(await runSightline(extractor, photos));
    }
    const text = await textLatency(extractor, 40);
    await extractor.close();
    return {
      sightline: fastest(sightlines),
      baseline: fastest(baselines),
      rounds,
      textLatency: text,
      batchSize,
      inferenceByBatch: await inferenceByBatch(modelDir, [1, 4, batchSize]),
    };
  } catch (err) {
    await extractor.close();
    throw err;
  }
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /**
   * The matrix instructions onnxruntime and usearch can use here: int8 speed-ups
   * hinge on VNNI, and the same "AMD EPYC" name covers CPUs with and without it.
   */
  simd: string;
  /** Threads each stage may use. */
  threads: { libuvPool: number; sharpPerImage: number };
}

const SIMD_FLAGS = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'];

/** The SIMD_FLAGS that /proc/cpuinfo lists, or 'unknown' off Linux. */
function simdFeatures(): string {
  try {
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' '));
    const present = SIMD_FLAGS.filter((f) => flags.has(f));
    return present.length > 0 ? present.join(', ') : 'none of ' + SIMD_FLAGS.join(', ');
  } catch {
    return 'unknown';
  }
}

export function machine(): Machine {
  const cores = os.availableParallelism();
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    simd: simdFeatures(),
    threads: { libuvPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4), sharpPerImage: sharp.concurrency() },
  };
}
