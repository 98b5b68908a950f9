/**
 * `npm run bench`: every figure the issues ask for, measured side by side
 * with its baseline in one run, printed and written to BENCHMARKS.md.
 * Options: --images N (default 48), --quick (fewer images and vectors).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GENERATOR_VERSION, generateModelDir } from '../src/extractor/model-generate/generate-model-dir.ts';
import { MODEL_SIZES, visionFlopsPerImage } from '../src/extractor/model-generate/model-dims.ts';
import { runApiBench } from './api-bench.ts';
import { runExtractorBench, machine } from './extractor-bench.ts';
import { runIngestBench } from './ingest-bench.ts';
import { fastest } from './measure.ts';
import { photoSet } from './photos.ts';
import { renderReport } from './report.ts';
import { runSearchBench } from './search-bench.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CACHE = path.join(ROOT, '.cache');

function baseModelDir(): string {
  const dir = path.join(CACHE, 'models', `base-v${GENERATOR_VERSION}`);
  if (!fs.existsSync(dir)) {
    const temp = `${dir}.${process.pid}.tmp`;
    progress(`generating the SigLIP-B/16-sized model into ${dir} (once)`);
    generateModelDir({ dims: MODEL_SIZES.base, outDir: temp, seed: 0, variants: [], label: 'base' });
    fs.renameSync(temp, dir);
  }
  return dir;
}

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string' }, quick: { type: 'boolean', default: false } } });
  const count = Number(values.images ?? (values.quick ? 12 : 48));
  const modelDir = baseModelDir();
  progress(`preparing ${count} photo-like JPEGs`);
  const photos = await photoSet(count, path.join(CACHE, 'bench-photos'));

  const rounds = values.quick ? 1 : 2;
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
  const sizes = values.quick ? [10_000] : [10_000, 100_000];
  const search = await runSearchBench(sizes, values.quick ? 20 : 50);
  progress('GraphQL: text-search latency, then a search load during an ingest');
  const api = await runApiBench(modelDir, photos, sizes, values.quick ? 10 : 30, values.quick ? 10 : 30);

  const report = renderReport({
    date: new Date().toISOString(),
    machine: machine(),
    flopsPerImage: visionFlopsPerImage(MODEL_SIZES.base.vision),
    extractor,
    ingest,
    ingestThumbs,
    search,
    api,
  });
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), report);
  process.stdout.write(report);
}

await main();
