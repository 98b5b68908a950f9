/**
 * Issue #3's ingest figure: N photos fetched from a loopback HTTP server,
 * embedded, thumbnailed and stored in the embedded store, end to end, set
 * against the extractor alone on the same photos in the same run.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import type { Metrics } from '../src/metrics.ts';
import type { ExtractorStats } from '../src/extractor/extractor.ts';
import type { ModelVariant } from '../src/extractor/features/index.ts';
import type { Photo } from './photos.ts';

export interface IngestBenchResult {
  objects: number;
  seconds: number;
  imagesPerSecond: number;
  failed: number;
  thumbnails: boolean;
  /** Image decodes during the ingest (sightline_image_decode_seconds), and their summed time. */
  decodes: number;
  decodeMs: number;
  /**
   * This process's CPU time (every thread: event loop, sharp, onnxruntime,
   * the photo server) per image: what the ingest costs the cores, which
   * other processes' load changes less than it changes seconds.
   */
  cpuMsPerImage: number;
}

async function decodeTotals(metrics: Metrics): Promise<{ decodes: number; decodeMs: number }> {
  const { values } = await metrics.imageDecodeSeconds.get();
  const total = (suffix: string) => values.find((v) => v.metricName === `sightline_image_decode_seconds_${suffix}`)?.value ?? 0;
  return { decodes: total('count'), decodeMs: total('sum') * 1000 };
}

export async function servePhotos(photos: Photo[]): Promise<{ url(i: number): string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const i = Number(/^\/photo-(\d+)\.jpg$/.exec(req.url ?? '')?.[1]);
    const photo = photos[i];
    if (!photo) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.bytes.length }).end(photo.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (i) => `http://127.0.0.1:${port}/photo-${i}.jpg`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function runIngestBench(
  modelDir: string,
  photos: Photo[],
  thumbnails: boolean,
  variant: ModelVariant = 'fp32',
  /** More environment for the app (e.g. IMAGE_DECODE_FULL_SIZE), to compare settings in one run. */
  env: Record<string, string> = {},
): Promise<IngestBenchResult & { stages: ExtractorStats }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-bench-ingest-'));
  const server = await servePhotos(photos);
  const app = createApp(
    loadConfig({ DATA_DIR: dataDir, MODEL_DIR: modelDir, MODEL_VARIANT: variant, MODEL_AUTO_DOWNLOAD: 'false', SIGHTLINE_ALLOW_PRIVATE_URLS: 'true', ...env }),
    silentLogger,
  );
  try {
    await app.model.start();
    await app.collections.create('bench', {
      feature_extractor_name: 'image_extractor',
      version: 'v1',
      input_mappings: { image: 'image_url' },
      field_passthrough: [{ source_path: 'metadata.sku' }],
      parameters: { enable_thumbnails: thumbnails },
    });
    const objects = photos.map((_, i) => ({ image_url: server.url(i), metadata: { sku: `SKU-${i}` } }));
    const before = await decodeTotals(app.metrics);
    const [t0, cpu0] = [performance.now(), process.cpuUsage()];
    const results = await app.ingest.ingest('bench', objects);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const after = await decodeTotals(app.metrics);
    return {
      objects: photos.length,
      seconds,
      imagesPerSecond: photos.length / seconds,
      failed: results.filter((r) => r.status === 'failed').length,
      thumbnails,
      decodes: after.decodes - before.decodes,
      decodeMs: after.decodeMs - before.decodeMs,
      cpuMsPerImage: (cpu.user + cpu.system) / 1000 / photos.length,
      stages: app.model.extractor().stats(),
    };
  } finally {
    await app.close();
    await server.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
