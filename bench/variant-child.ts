/**
 * One model variant, measured in a process of its own so that its RSS is its
 * own: both towers loaded as the server loads them, then the vision tower at
 * batch 1 and at batch N over the benchmark's photos (ready tensors), and the
 * text tower one query at a time. Embeddings go to a file for the parent to
 * compare with fp32; figures go to stdout as one JSON line.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadModelFiles } from '../src/extractor/model-files.ts';
import { type ModelVariant } from '../src/extractor/features/index.ts';
import { openTower } from '../src/extractor/inference/onnx-sessions.ts';
import { createTokenizer } from '../src/extractor/tokenizer.ts';
import { percentile } from './measure.ts';

export interface VariantChildArgs {
  modelDir: string;
  variant: ModelVariant;
  /** Float32 [images, 3, h, w], preprocessed once by the parent. */
  tensorsFile: string;
  images: number;
  batch: number;
  /** Images timed one at a time. */
  singles: number;
  queries: string[];
  embeddingsOut: string;
}

export interface VariantChildResult {
  loadMs: number;
  batch1MsPerImage: number;
  batchNMsPerImage: number;
  textP50Ms: number;
  rssBytes: number;
}

const SESSION = { executionProvider: 'cpu' as const, cudaDeviceId: 0, threads: 0 };

async function main(args: VariantChildArgs): Promise<VariantChildResult> {
  const t0 = performance.now();
  const model = await loadModelFiles(args.modelDir, args.variant);
  const dim = model.embeddingDim;
  const vision = await openTower('vision', model.visionModelPath, dim, SESSION);
  const text = await openTower('text', model.textModelPath, dim, SESSION);
  const loadMs = performance.now() - t0;
  const { height, width } = model.image;
  const per = 3 * height * width;
  const bytes = fs.readFileSync(args.tensorsFile);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, args.images * per);
  const slice = (from: number, n: number) => all.slice(from * per, (from + n) * per);

  await vision.embed(slice(0, 1), [1, 3, height, width]);
  const singles = Math.min(args.singles, args.images);
  const s0 = performance.now();
  for (let i = 0; i < singles; i++) await vision.embed(slice(i, 1), [1, 3, height, width]);
  const batch1MsPerImage = (performance.now() - s0) / singles;

  const embeddings = new Float32Array(args.images * dim);
  const b0 = performance.now();
  for (let from = 0; from < args.images; from += args.batch) {
    const n = Math.min(args.batch, args.images - from);
    embeddings.set(await vision.embed(slice(from, n), [n, 3, height, width]), from * dim);
  }
  const batchNMsPerImage = (performance.now() - b0) / args.images;
  fs.writeFileSync(args.embeddingsOut, new Uint8Array(embeddings.buffer));

  const tokenizer = createTokenizer(model.tokenizerJson, model.tokenizerConfig, { maxLength: model.text.maxLength });
  const ids = args.queries.map((q) => BigInt64Array.from(tokenizer.encode(q), BigInt));
  await text.embed(ids[0]!.slice(), [1, model.text.maxLength]);
  const times: number[] = [];
  for (const q of ids) {
    const q0 = performance.now();
    await text.embed(q.slice(), [1, model.text.maxLength]);
    times.push(performance.now() - q0);
  }
  const rssBytes = process.memoryUsage().rss;
  await Promise.all([vision.release(), text.release()]);
  return { loadMs, batch1MsPerImage, batchNMsPerImage, textP50Ms: percentile(times, 50), rssBytes };
}

process.stdout.write(`${JSON.stringify(await main(JSON.parse(process.argv[2] as string) as VariantChildArgs))}\n`);
