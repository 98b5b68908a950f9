/** BENCHMARKS.md's sections for issue #10's variant and text-query figures. */
import { describeLoad } from './load-marks.ts';
import { fmt, type Latency } from './measure.ts';
import type { IngestCeilingResult, IngestStages } from './ingest-ceiling-bench.ts';
import type { TextLatencyResult } from './text-latency-bench.ts';
import type { VariantResult, VariantsBenchResult } from './variants-bench.ts';

const MB = 1e6;
const verdict = (ok: boolean, contended: boolean) => `${ok ? 'met' : '**not met**'}${contended ? ' (measured under contention)' : ''}`;
const lat = (l: Latency) => `${fmt(l.p50, 2)} / ${fmt(l.p99, 2)}`;

function variantRow(r: VariantResult, fp32: VariantResult): string {
  const speedup = fp32.batchNMsPerImage / r.batchNMsPerImage;
  return `| ${r.variant} | ${fmt(r.batch1MsPerImage)} | ${fmt(r.batchNMsPerImage)} (${fmt(speedup, 2)}×) | ${fmt(r.textP50Ms)} | ${r.cosine.worst.toFixed(5)} / ${r.cosine.mean.toFixed(5)} | ${fmt(r.fileBytes / MB, 0)} | ${fmt(r.rssBytes / MB, 0)} | ${describeLoad(r.load)} |`;
}

export function renderVariantsSection(v: VariantsBenchResult): string {
  const fp32 = v.variants.find((r) => r.variant === 'fp32') as VariantResult;
  const int8 = v.variants.find((r) => r.variant === 'int8');
  const goal = int8
    ? (() => {
        const speedup = fp32.batchNMsPerImage / int8.batchNMsPerImage;
        const ok = speedup >= 2.5 && int8.cosine.worst >= 0.998;
        return `- Goal, int8 ≥ 2.5× fp32 on vision with cosine ≥ 0.998: **${fmt(speedup, 2)}×**, worst cosine ${int8.cosine.worst.toFixed(5)}: ${verdict(ok, int8.load.contended || fp32.load.contended)}.`;
      })()
    : '';
  return `## Model variants (issue #10)

Each variant in a process of its own, one after another, in ${v.rounds} round(s), the order reversed every other round, each
figure the variant's fastest round: both towers loaded as the server loads them, the vision tower
on the ${v.images} photos above as ready tensors, ${v.singles} at batch 1 and all of them in batches of ${v.batch}; the
text tower on ${v.queries} queries one at a time (ready ids). Cosine is each photo's embedding against fp32's on the
same tensors. RSS is the process's after all of that. Random weights: cosine measures numeric agreement with fp32,
not retrieval quality. Each row carries its contention mark: what other processes on this shared machine used meanwhile.

| variant | vision ms/image, batch 1 | vision ms/image, batch ${v.batch} (speed-up) | text ms/query p50 | cosine to fp32 worst / mean | files MB | RSS MB | load |
|---|---|---|---|---|---|---|---|
${v.variants.map((r) => variantRow(r, fp32)).join('\n')}

${goal}
- The generated fp16 files store float16 weights and compute in float32 (README, "Model variants"): their speed is not
  the published fp16 files'.
`;
}

export function renderTextSection(t: TextLatencyResult): string {
  const ratio = t.sightlineCold.p50 / t.towerAlone.p50;
  const tjs = 'unavailable' in t.transformersJs ? `not measured: ${t.transformersJs.unavailable}` : lat(t.transformersJs);
  return `## Text queries, ${t.variant} (issue #10)

${t.rounds} queries, each a text not seen before, interleaved across the sides (the side that goes first rotates), ${t.variant}
model, every side with the text tower's onnxruntime session options (threads, spinning); then the same texts again for
the cache. ${describeLoad(t.load)}.

| path | p50 / p99 (ms) |
|---|---|
| text tower alone (ready ids, same thread) | ${lat(t.towerAlone)} |
| text tower in Sightline's worker thread (ready ids: the tower and the thread round trip) | ${lat(t.towerInWorker)} |
| tokenizing alone | ${lat(t.tokenizeMs)} |
| Sightline, a new text (tokenizer, batcher, worker thread) | ${lat(t.sightlineCold)} |
| Sightline, a repeated text (cache) | ${lat(t.sightlineCached)} |
| transformers.js on the same files (its tokenizer and model call) | ${tjs} |

- Goal, Sightline within 1.05× of the tower alone at p50: **${fmt(ratio, 3)}×**: ${verdict(ratio <= 1.05, t.load.contended)}.
- Goal, a repeated query ≤ 1 ms on embedding: p50 ${fmt(t.sightlineCached.p50, 3)} ms: ${verdict(t.sightlineCached.p50 <= 1, t.load.contended)}.
`;
}

function stagesLine(name: string, r: IngestStages): string {
  return `- ${name}: decode and resize ${fmt(r.preprocessMsPerImage)} ms (in sharp's threads, overlapping inference), ` +
    `inference ${fmt(r.inferenceMsPerImage)} ms, ${fmt(r.batchSize)} images per batch; CPU time ${fmt(r.cpuMsPerImage)} ms per image.`;
}

export function renderIngestCeilingSection(r: IngestCeilingResult): string {
  const share = (s: IngestStages) => s.imagesPerSecond / r.ceiling.imagesPerSecond;
  const row = (s: IngestStages) => `${fmt(s.imagesPerSecond, 2)} (**${fmt(share(s) * 100)} %** of the ceiling)`;
  const tjs = 'unavailable' in r.transformersJs ? `not measured: ${r.transformersJs.unavailable}` : fmt(r.transformersJs.imagesPerSecond, 2);
  return `## Ingest against the inference ceiling (issue #10)

${r.images} photos, ${r.variant} model, ${r.rounds} alternating run(s) per side, each side's fastest. ${describeLoad(r.load)}.

| path | images/s |
|---|---|
| vision tower alone on ready tensors, batches of 16 (the ceiling) | ${fmt(r.ceiling.imagesPerSecond, 2)} |
| Sightline ingest end to end (loopback HTTP, decode, embed, store; no thumbnails), large JPEGs shrunk on load (the default) | ${row(r.ingest)} |
| the same with \`IMAGE_DECODE_FULL_SIZE=true\` (every image decoded at full size first) | ${row(r.fullSizeIngest)} |
| transformers.js on the same JPEGs and files (its processor and vision model, batches of 8) | ${tjs} |

Stages inside the ingest, per image:
${stagesLine('shrunk on load', r.ingest)}
${stagesLine('full size', r.fullSizeIngest)}

Decoding and inference share the same cores, so every millisecond of decoding is taken from the tower: on a 2-core
host the ingest can reach the ceiling only when decoding costs little beside inference. In CPU time (all of the
process's threads; other processes' load inflates it too, through shared caches and memory, but less than wall time)
the tower alone spent ${fmt(r.ceiling.cpuMsPerImage)} ms per image: ${fmt((100 * r.ceiling.cpuMsPerImage) / r.ingest.cpuMsPerImage)} % of the ingest's CPU time per image shrunk on
load, ${fmt((100 * r.ceiling.cpuMsPerImage) / r.fullSizeIngest.cpuMsPerImage)} % at full size.

- Goal, ingest ≥ 90 % of the ceiling: ${verdict(share(r.ingest) >= 0.9, r.load.contended)}.
`;
}
