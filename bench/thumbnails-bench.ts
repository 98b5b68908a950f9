/**
 * Issue #9's thumbnail figure: the same ingest (loopback HTTP → decode →
 * vision tower → embedded store) with and without 640 px thumbnails,
 * alternating in one run, each side's fastest. media/ decodes each image
 * once for both the model's input and the thumbnail, so the thumbnail side
 * should cost only its resize, JPEG encode and write, and show one decode
 * per image like the other side.
 */
import { runIngestBench, type IngestBenchResult } from './ingest-bench.ts';
import { describeLoad, withLoadMark, type LoadMark } from './load-marks.ts';
import { fastest, fmt } from './measure.ts';
import type { Photo } from './photos.ts';

export interface ThumbnailsBenchResult {
  rounds: number;
  without: IngestBenchResult;
  with: IngestBenchResult;
  load: LoadMark;
}

export async function runThumbnailsBench(modelDir: string, photos: Photo[], rounds: number): Promise<ThumbnailsBenchResult> {
  const { value, load } = await withLoadMark(async () => {
    const without: IngestBenchResult[] = [];
    const withThumbs: IngestBenchResult[] = [];
    for (let round = 0; round < rounds; round++) {
      // The side that goes first rotates, so neither always meets a cold cache.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const thumbnails of order) (thumbnails ? withThumbs : without).push(await runIngestBench(modelDir, photos, thumbnails));
    }
    return { without: fastest(without), with: fastest(withThumbs) };
  });
  return { rounds, ...value, load };
}

function row(name: string, r: IngestBenchResult, base: IngestBenchResult): string {
  const perImage = (n: number) => n / r.objects;
  return `| ${name} | ${r.objects} | ${r.failed} | ${fmt(r.seconds)} | **${fmt(r.imagesPerSecond, 2)}** | ${fmt(perImage(r.decodes), 2)} | ${fmt(r.decodeMs / Math.max(1, r.decodes))} | ${fmt((100 * r.imagesPerSecond) / base.imagesPerSecond)} % |`;
}

export function renderThumbnailsSection(t: ThumbnailsBenchResult): string {
  return `## Ingest with and without thumbnails (issue #9)

${t.without.objects} photos ingested from a loopback HTTP server into the embedded store, fp32 model, once without and
once with 640 px JPEG thumbnails (local folder), ${t.rounds} alternating run(s) per side, each side's fastest. Decodes
are counted by \`sightline_image_decode_seconds\`; a decode (in sharp's threads) includes resizing to the model's input
and, on the thumbnail side, the thumbnail's resize and JPEG encode. ${describeLoad(t.load)}.

| path | objects | failed | seconds | images/s | decodes per image | ms per decode | share of no-thumbnail rate |
|---|---|---|---|---|---|---|---|
${row('ingest, no thumbnails', t.without, t.without)}
${row('ingest, with 640 px thumbnails', t.with, t.without)}
`;
}
