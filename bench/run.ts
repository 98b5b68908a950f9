/**
 * `npm run bench`: every figure the issues ask for, measured side by side
 * with its baseline in one run, printed and written to BENCHMARKS.md.
 * Options: --images N (default 48), --quick (fewer images and vectors),
 * --only a,b (just those blocks: pipeline, variants, text, ingest, thumbnails, store).
 * A partial or quick run prints its report and writes BENCHMARKS.md only when
 * every block ran at full size, so the file always holds one whole run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GENERATOR_VERSION, generateModelDir } from '../src/extractor/model-generate/generate-model-dir.ts';
import { MODEL_SIZES, visionFlopsPerImage } from '../src/extractor/model-generate/model-dims.ts';
import { MODEL_VARIANTS } from '../src/extractor/features/index.ts';
import { describeLoad, withLoadMark, type LoadMark } from './load-marks.ts';
import { renderIngestCeilingSection, renderTextSection, renderVariantsSection } from './inference-report.ts';
import { runIngestCeilingBench } from './ingest-ceiling-bench.ts';
import { runTextLatencyBench } from './text-latency-bench.ts';
import { renderThumbnailsSection, runThumbnailsBench } from './thumbnails-bench.ts';
import { runVariantsBench } from './variants-bench.ts';
import { runApiBench } from './api-bench.ts';
import { runExtractorBench, machine } from './extractor-bench.ts';
import { runIngestBench } from './ingest-bench.ts';
import { recallSection } from './hnsw-recall.ts';
import { fastest } from './measure.ts';
import { photoSet, type Photo } from './photos.ts';
import { renderReport } from './report.ts';
import { runSearchBench } from './search-bench.ts';
import { FULL_BLOCKS, QUICK_BLOCKS, runStoreBench } from './store-bench.ts';
import { renderStoreSection } from './store-report.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CACHE = path.join(ROOT, '.cache');

function baseModelDir(): string {
  const dir = path.join(CACHE, 'models', `base-v${GENERATOR_VERSION}`);
  if (!fs.existsSync(dir)) {
    const temp = `${dir}.${process.pid}.tmp`;
    progress(`generating the SigLIP-B/16-sized model into ${dir} (once)`);
    generateModelDir({ dims: MODEL_SIZES.base, outDir: temp, seed: 0, variants: MODEL_VARIANTS.filter((v) => v !== 'fp32'), label: 'base' });
    fs.renameSync(temp, dir);
  }
  return dir;
}

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

const BLOCKS = ['pipeline', 'variants', 'text', 'ingest', 'thumbnails', 'store'] as const;
type Block = (typeof BLOCKS)[number];

function parseBlocks(only: string | undefined): Set<Block> {
  if (only === undefined) return new Set(BLOCKS);
  const asked = only.split(',').map((b) => b.trim());
  const unknown = asked.filter((b) => !(BLOCKS as readonly string[]).includes(b));
  if (unknown.length > 0) throw new Error(`--only takes ${BLOCKS.join(',')}; not ${unknown.join(',')}`);
  return new Set(asked as Block[]);
}

/** Issues #2–#4's figures: the extractor against its baseline, ingest, exact search and the GraphQL API. */
async function pipelineSection(modelDir: string, photos: Photo[], quick: boolean): Promise<string> {
  const rounds = quick ? 1 : 2;
  progress(`extractor: naive baseline and Sightline, alternating, ${rounds} runs each`);
  const extractor = await runExtractorBench(modelDir, photos, rounds);
  progress('ingest: loopback HTTP → embedded store (without and with thumbnails, alternating)');
  const ingests = [];
  const ingestsThumbs = [];
  for (let round = 0; round < rounds; round++) {
    ingests.push(await runIngestBench(modelDir, photos, false));
    ingestsThumbs.push(await runIngestBench(modelDir, photos, true));
  }
  const ingest = fastest(ingests);
  const ingestThumbs = fastest(ingestsThumbs);
  progress('search: exact search over stored vectors');
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const search = await runSearchBench(sizes, quick ? 20 : 50);
  progress('GraphQL: text-search latency, then a search load during an ingest');
  const api = await runApiBench(modelDir, photos, sizes, quick ? 10 : 30, quick ? 10 : 30);
  return renderReport({
    date: new Date().toISOString(),
    machine: machine(),
    flopsPerImage: visionFlopsPerImage(MODEL_SIZES.base.vision),
    extractor,
    ingest,
    ingestThumbs,
    search,
    api,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { images: { type: 'string' }, quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const quick = values.quick;
  const blocks = parseBlocks(values.only);
  const count = Number(values.images ?? (quick ? 12 : 48));
  const modelDir = baseModelDir();
  progress(`preparing ${count} photo-like JPEGs`);
  const photos = await photoSet(count, path.join(CACHE, 'bench-photos'));

  const sections: string[] = [];
  const marks: LoadMark[] = [];
  if (blocks.has('pipeline')) {
    const { value, load } = await withLoadMark(() => pipelineSection(modelDir, photos, quick));
    marks.push(load);
    sections.push(`${value}\nLoad while issues #2–#4's blocks above ran: ${describeLoad(load)}.\n`);
  }
  else sections.push(`# Benchmarks (partial run: ${[...blocks].join(', ')}; ${new Date().toISOString()}; ${machine().cpu}, ${machine().cores} cores)\n`);
  if (blocks.has('variants')) {
    progress('variants: every model variant in its own process');
    const variants = await runVariantsBench(modelDir, photos, { batch: 16, rounds: quick ? 1 : 2, singles: quick ? 2 : 8, queries: quick ? 8 : 30, progress });
    marks.push(...variants.variants.map((v) => v.load));
    sections.push(renderVariantsSection(variants));
  }
  if (blocks.has('text')) {
    for (const variant of ['fp32', 'int8'] as const) {
      progress(`text: tower alone, Sightline cold and cached, transformers.js (${variant})`);
      const text = await runTextLatencyBench(modelDir, variant, quick ? 10 : 40);
      marks.push(text.load);
      sections.push(renderTextSection(text));
    }
  }
  if (blocks.has('ingest')) {
    progress('ingest (int8): end to end against the inference ceiling and transformers.js');
    const ingest = await runIngestCeilingBench(modelDir, 'int8', photos, quick ? 1 : 2);
    marks.push(ingest.load);
    sections.push(renderIngestCeilingSection(ingest));
  }
  if (blocks.has('thumbnails')) {
    progress('thumbnails: ingest with and without thumbnails, alternating');
    const thumbnails = await runThumbnailsBench(modelDir, photos, quick ? 1 : 2);
    marks.push(thumbnails.load);
    sections.push(renderThumbnailsSection(thumbnails));
  }
  if (blocks.has('store')) {
    // The 1M block builds a million-point graph (many minutes on 2 cores): full runs only.
    const store = await runStoreBench(quick ? QUICK_BLOCKS : FULL_BLOCKS, quick ? 20 : 100, progress);
    marks.push(...store.blocks.map((b) => b.load));
    sections.push(renderStoreSection(store));
  }
  const contended = marks.filter((m) => m.contended).length;
  const warning = contended > 0
    ? `\n> **Measured under contention**: in ${contended} of ${marks.length} blocks other processes kept at least a quarter of a core busy (each block's mark says how much). Those figures are not this machine's speed; ratios between sides measured alternately in the same block hold up better than absolute times.\n`
    : '';
  const report = sections.join('\n').replace(/^(# [^\n]*\n)/, `$1${warning}`);
  const whole = !quick && blocks.size === BLOCKS.length;
  const file = path.join(whole ? ROOT : CACHE, whole ? 'BENCHMARKS.md' : 'BENCHMARKS.partial.md');
  // The recall estimate is written by bench/hnsw-recall.ts on its own; keep it.
  const kept = whole && fs.existsSync(file) ? recallSection(fs.readFileSync(file, 'utf8')) : '';
  fs.writeFileSync(file, kept ? `${report.trimEnd()}\n\n${kept}\n` : report);
  process.stdout.write(report);
}

await main();
