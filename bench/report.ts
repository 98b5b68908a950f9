/** Renders the benchmark's results as BENCHMARKS.md. */
import type { ApiBenchResult } from './api-bench.ts';
import type { ExtractorBenchResult, Machine, PipelineResult } from './extractor-bench.ts';
import type { IngestBenchResult } from './ingest-bench.ts';
import { fmt, type Latency } from './measure.ts';
import type { SearchBenchResult } from './search-bench.ts';

export interface BenchReport {
  date: string;
  machine: Machine;
  flopsPerImage: number;
  extractor: ExtractorBenchResult;
  ingest: IngestBenchResult;
  ingestThumbs: IngestBenchResult;
  search: SearchBenchResult;
  api: ApiBenchResult;
}

const lag = (l: Latency) => `${fmt(l.p50)} / ${fmt(l.p99)} / ${fmt(l.max)}`;
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

function pipelineRow(name: string, r: PipelineResult, flopsPerImage: number): string {
  const gflops = (r.imagesPerSecond * flopsPerImage) / 1e9;
  return `| ${name} | ${r.images} | ${fmt(r.seconds)} | **${fmt(r.imagesPerSecond, 2)}** | ${fmt(r.stages.preprocessMs)} | ${fmt(r.stages.inferenceMs)} | ${fmt(gflops)} | ${lag(r.lag)} |`;
}

export function renderReport(b: BenchReport): string {
  const { sightline, baseline } = b.extractor;
  const speedup = sightline.imagesPerSecond / baseline.imagesPerSecond;
  const ingestRatio = b.ingest.imagesPerSecond / sightline.imagesPerSecond;
  const ingestThumbsRatio = b.ingestThumbs.imagesPerSecond / sightline.imagesPerSecond;
  return `# Benchmarks

Measured by \`npm run bench\` on ${b.date.slice(0, 10)}. Every figure below comes from one run, each beside its baseline.
Throughput comparisons alternate their sides, ${b.extractor.rounds} runs each, and report each side's fastest run: this is a
shared 2-core machine, and single runs varied by ±15 % here.
Model: the generated SigLIP-B/16-sized model (hidden 768, 12 layers, 12 heads, MLP 3072, 224 px, patch 16: the real
model's cost per image, random weights), fp32, onnxruntime-node on the CPU. Photos: ${sightline.images} generated
photo-like JPEGs cycling through 640×480, 1024×768, 1600×1200, 1920×1080, 2592×1944 and 4000×3000.

Machine: ${b.machine.cpu} (${b.machine.simd}), ${b.machine.cores} cores, ${b.machine.memoryGiB} GiB, Node ${b.machine.node}.
Threads: onnxruntime's intra-op pool at its default (one thread per physical core; spinning off), one worker thread per\ntower; image decoding in libuv's pool of ${b.machine.threads.libuvPool}, sharp using ${b.machine.threads.sharpPerImage} per image.

## Image embedding (issue #2)

The vision tower costs ${fmt(b.flopsPerImage / 1e9, 2)} GFLOP per image.

| pipeline | images | seconds | images/s | preprocess ms/image | inference ms/image | GFLOP/s | event-loop lag p50 / p99 / max (ms) |
|---|---|---|---|---|---|---|---|
${pipelineRow(`Sightline (batches of ≤${b.extractor.batchSize}, worker thread, decode overlaps inference)`, sightline, b.flopsPerImage)}
${pipelineRow('naive baseline (one at a time, decode then infer, main thread)', baseline, b.flopsPerImage)}

- Speed-up: **${fmt(speedup, 2)}×** (target ≥ 1.5×: ${verdict(speedup >= 1.5)}).
- Vision inference alone, on ready tensors: ${b.extractor.inferenceByBatch.map((x) => `batch ${x.batch}: ${fmt(x.msPerImage)} ms/image`).join(', ')}.
  On this CPU a batch costs the same per image as a single image (each image is already a 196×768 matrix product, big
  enough to keep both cores busy), and decoding is under a tenth of the baseline's time per image
  (${fmt(baseline.stages.preprocessMs)} of ${fmt(baseline.stages.preprocessMs + baseline.stages.inferenceMs)} ms). With inference using every core, overlapping decode with it can
  gain at most that tenth, so the pipeline's throughput is bounded near the baseline's on a 2-core machine; what the
  worker thread buys here is responsiveness (the lag column) and batching pays off on GPUs, where a batch of 16 costs
  little more than one image.
- Event-loop lag p99 while Sightline embeds: **${fmt(sightline.lag.p99)} ms** (target < 20 ms: ${verdict(sightline.lag.p99 < 20)}).
- Stage times are means per image; Sightline's preprocessing runs in sharp's thread pool while the worker infers, so its stages overlap and do not add up to the wall time.
- Text embedding latency (one query at a time, through the worker): p50 **${fmt(b.extractor.textLatency.p50)} ms**, p99 **${fmt(b.extractor.textLatency.p99)} ms**.

## Ingest (issue #3)

${b.ingest.objects} objects fetched over loopback HTTP, sniffed, embedded and upserted into the embedded store, against the extractor alone on the same photos (above).

| path | objects | failed | seconds | images/s | share of extractor-only |
|---|---|---|---|---|---|
| ingest, no thumbnails | ${b.ingest.objects} | ${b.ingest.failed} | ${fmt(b.ingest.seconds)} | ${fmt(b.ingest.imagesPerSecond, 2)} | **${fmt(ingestRatio * 100)} %** |
| ingest, with 640 px thumbnails | ${b.ingestThumbs.objects} | ${b.ingestThumbs.failed} | ${fmt(b.ingestThumbs.seconds)} | ${fmt(b.ingestThumbs.imagesPerSecond, 2)} | ${fmt(ingestThumbsRatio * 100)} % |
| extractor only | ${sightline.images} | 0 | ${fmt(sightline.seconds)} | ${fmt(sightline.imagesPerSecond, 2)} | 100 % |

Target: ingest ≥ 90 % of the extractor-only rate (${verdict(ingestRatio >= 0.9)} without thumbnails). Thumbnails are resized from the same decode as the model's input (see "Ingest with and without thumbnails").

## Exact search in the embedded store (issue #3)

Exact search (\`exact: true\`) over every stored vector (768 dims); limit 10. The store scans the vectors' int8 codes and rescores in float32 every point their error bound cannot rule out, so the answer is the float32 one. The bound is the time to read every float32 vector once at the sequential read bandwidth measured from JavaScript in the same run (${fmt(b.search.bandwidthGBps, 1)} GB/s).

| vectors | unfiltered p50 / p99 (ms) | filtered (10 % match) p50 / p99 (ms) | bandwidth bound (ms) |
|---|---|---|---|
${b.search.sizes.map((s) => `| ${s.vectors.toLocaleString('en')} | ${fmt(s.unfiltered.p50)} / ${fmt(s.unfiltered.p99)} | ${fmt(s.filtered.p50)} / ${fmt(s.filtered.p99)} | ${fmt(s.bandwidthBoundMs)} |`).join('\n')}

## GraphQL search (issue #4)

Text search through the HTTP endpoint (\`search(query: { text })\`, limit 10): SigLIP text tower in the worker, then
the embedded store with its default plan (exact below 3,333 vectors, the HNSW graph above). One query at a time.

| documents | text search p50 / p99 (ms) |
|---|---|
${b.api.latency.map((l) => `| ${l.documents.toLocaleString('en')} | ${fmt(l.textSearch.p50)} / ${fmt(l.textSearch.p99)} |`).join('\n')}

Search load with autocannon (${b.api.load.connections} connections, ${b.api.load.seconds} s) over ${b.api.latency[0]?.documents.toLocaleString('en')} documents
while ${b.api.load.ingest.objects} photos are ingested from a loopback HTTP server into another collection:

| requests | requests/s | latency p50 / p99 / max (ms) | errors + timeouts | non-2xx | GraphQL errors | ingest during the load |
|---|---|---|---|---|---|---|
| ${b.api.load.requests} | ${fmt(b.api.load.requestsPerSecond, 2)} | ${fmt(b.api.load.latency.p50, 0)} / ${fmt(b.api.load.latency.p99, 0)} / ${fmt(b.api.load.latency.max, 0)} | ${b.api.load.errors} | ${b.api.load.non2xx} | ${b.api.load.graphqlErrors} | ${b.api.load.ingest.objects - b.api.load.ingest.failed}/${b.api.load.ingest.objects} stored in ${fmt(b.api.load.ingest.seconds)} s |

Zero errors: ${verdict(b.api.load.errors + b.api.load.non2xx + b.api.load.graphqlErrors === 0 && b.api.load.ingest.failed === 0)}. Text queries have their own
worker, so they never queue behind an image batch, but on two cores the text and vision towers share the CPU: search
latency under load is the text tower running at a fraction of the machine while the ingest keeps the rest busy.
`;
}
