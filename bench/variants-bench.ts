/**
 * Issue #10's variant figures: every model variant on the same photos in one
 * run, each in its own process (see variant-child.ts), set against fp32:
 * speed at batch 1 and N, text speed, cosine to fp32, file size and RSS.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadModelFiles } from '../src/extractor/model-files.ts';
import { MODEL_VARIANTS, type ModelVariant } from '../src/extractor/features/index.ts';
import { withLoadMark, type LoadMark } from './load-marks.ts';
import { normaliseOptions, pixelValues } from './model-input.ts';
import type { Photo } from './photos.ts';
import type { VariantChildArgs, VariantChildResult } from './variant-child.ts';

export interface VariantResult extends VariantChildResult {
  variant: ModelVariant;
  /** Both towers' ONNX files. */
  fileBytes: number;
  /** Cosine of each photo's embedding to fp32's: worst and mean. */
  cosine: { worst: number; mean: number };
  load: LoadMark;
}

export interface VariantsBenchResult {
  images: number;
  batch: number;
  /** Each variant ran once per round, the order reversed every other round. */
  rounds: number;
  singles: number;
  queries: number;
  variants: VariantResult[];
}

const run = promisify(execFile);
const QUERIES = ['red leather sneakers', 'a blue ceramic coffee mug', 'stainless steel water bottle with a bamboo lid', 'vintage poster'];

/** The photos as the extractor would feed them: decoded, resized and normalised once, for every variant. */
async function writeTensors(modelDir: string, photos: Photo[], file: string): Promise<void> {
  const model = await loadModelFiles(modelDir, 'fp32');
  const opts = normaliseOptions(model);
  const out = fs.openSync(file, 'w');
  try {
    for (const photo of photos) {
      const values = await pixelValues(photo.bytes, opts);
      fs.writeSync(out, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  } finally {
    fs.closeSync(out);
  }
}

async function runChild(args: VariantChildArgs): Promise<VariantChildResult> {
  const child = path.join(path.dirname(new URL(import.meta.url).pathname), 'variant-child.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, JSON.stringify(args)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as VariantChildResult;
}

function readEmbeddings(file: string): Float32Array {
  const bytes = fs.readFileSync(file);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function cosines(a: Float32Array, b: Float32Array, dim: number): { worst: number; mean: number } {
  const values: number[] = [];
  for (let o = 0; o < a.length; o += dim) {
    let dot = 0;
    for (let i = o; i < o + dim; i++) dot += (a[i] as number) * (b[i] as number);
    values.push(dot);
  }
  return { worst: Math.min(...values), mean: values.reduce((s, v) => s + v, 0) / values.length };
}

const fileBytes = async (modelDir: string, variant: ModelVariant) => {
  const m = await loadModelFiles(modelDir, variant);
  return fs.statSync(m.visionModelPath).size + fs.statSync(m.textModelPath).size;
};

type MarkedRun = { value: VariantChildResult; load: LoadMark };

/** Each timing at its fastest round (the least disturbed); the mark goes with the batch-N figure, which the goal reads. */
function fastestRun(best: MarkedRun | undefined, run: MarkedRun): MarkedRun {
  if (!best) return run;
  const a = best.value;
  const b = run.value;
  const value: VariantChildResult = {
    ...a,
    loadMs: Math.min(a.loadMs, b.loadMs),
    batch1MsPerImage: Math.min(a.batch1MsPerImage, b.batch1MsPerImage),
    batchNMsPerImage: Math.min(a.batchNMsPerImage, b.batchNMsPerImage),
    textP50Ms: Math.min(a.textP50Ms, b.textP50Ms),
  };
  return { value, load: b.batchNMsPerImage < a.batchNMsPerImage ? run.load : best.load };
}

export async function runVariantsBench(
  modelDir: string,
  photos: Photo[],
  opts: { batch: number; rounds: number; singles: number; queries: number; progress: (msg: string) => void },
): Promise<VariantsBenchResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-variants-'));
  try {
    const tensorsFile = path.join(work, 'pixels.f32');
    await writeTensors(modelDir, photos, tensorsFile);
    const queries = Array.from({ length: opts.queries }, (_, i) => `${QUERIES[i % QUERIES.length]} ${i}`);
    const measured = new Map<ModelVariant, MarkedRun>();
    for (let round = 0; round < opts.rounds; round++) {
      // Alternating the order spreads whatever else the shared machine does over every variant alike.
      for (const variant of round % 2 === 0 ? MODEL_VARIANTS : [...MODEL_VARIANTS].reverse()) {
        opts.progress(`variant ${variant}, round ${round + 1} of ${opts.rounds}`);
        const args: VariantChildArgs = { modelDir, variant, tensorsFile, images: photos.length, batch: opts.batch, singles: opts.singles, queries, embeddingsOut: path.join(work, `${variant}.f32`) };
        const run = await withLoadMark(() => runChild(args));
        measured.set(variant, fastestRun(measured.get(variant), run));
      }
    }
    const reference = readEmbeddings(path.join(work, 'fp32.f32'));
    const results: VariantResult[] = [];
    for (const variant of MODEL_VARIANTS) {
      const { value, load } = measured.get(variant) as MarkedRun;
      const embeddings = readEmbeddings(path.join(work, `${variant}.f32`));
      results.push({ variant, ...value, fileBytes: await fileBytes(modelDir, variant), cosine: cosines(embeddings, reference, 768), load });
    }
    return { images: photos.length, batch: opts.batch, rounds: opts.rounds, singles: opts.singles, queries: opts.queries, variants: results };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
