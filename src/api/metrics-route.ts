/** GET /metrics: the Prometheus text exposition of the app's registry. */
import type { ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.ts';

export const METRICS_PATH = '/metrics';

export async function sendMetrics(res: ServerResponse, metrics: Metrics): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(body);
}
