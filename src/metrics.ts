/**
 * Prometheus metrics (prom-client), one registry per app, never the library's
 * global one: tests and a CLI run build their own and never share state. A
 * shared leaf like the logger: the API, ingest, the extractor and search each
 * record into the instruments made here, and the API serves them at /metrics.
 * Labels are bounded sets (schema fields, error codes, towers), never user
 * input such as collection names or operation names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Tower = 'vision' | 'text';

export interface Metrics {
  readonly registry: Registry;
  /** GraphQL requests by operation (the root field, `multiple`, or `invalid`) and outcome (`ok` or an error code). */
  readonly graphqlRequests: Counter<'operation' | 'outcome'>;
  readonly graphqlSeconds: Histogram<'operation' | 'outcome'>;
  /** Ingested objects by final state and error code (`none` when stored). */
  readonly ingestItems: Counter<'status' | 'code'>;
  readonly inferenceBatchSize: Histogram<'tower'>;
  /** From the moment an input is ready until its batch starts. */
  readonly inferenceQueueSeconds: Histogram<'tower'>;
  /** One batch through a tower. */
  readonly inferenceSeconds: Histogram<'tower'>;
  /** One image decoded (or one PDF page taken) into the model's input and, when asked, its thumbnail. */
  readonly imageDecodeSeconds: Histogram<never>;
  /** A vector search or a filtered listing, in the store. */
  readonly storeQuerySeconds: Histogram<'operation'>;
  /** Ingest jobs waiting or running, read when scraped. */
  trackJobQueue(depth: () => { queued: number; running: number }): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  // Process metrics, event-loop lag (nodejs_eventloop_lag_*) among them.
  collectDefaultMetrics({ register: registry });
  let jobDepth: () => { queued: number; running: number } = () => ({ queued: 0, running: 0 });
  new Gauge({
    name: 'sightline_ingest_jobs',
    help: 'Ingest jobs by state (queued or running)',
    labelNames: ['state'],
    registers,
    collect() {
      const depth = jobDepth();
      this.set({ state: 'queued' }, depth.queued);
      this.set({ state: 'running' }, depth.running);
    },
  });
  return {
    registry,
    graphqlRequests: new Counter({
      name: 'sightline_graphql_requests_total',
      help: 'GraphQL requests by operation (root field) and outcome (ok or error code)',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
    graphqlSeconds: new Histogram({
      name: 'sightline_graphql_request_duration_seconds',
      help: 'GraphQL request latency, from parsing to the answer',
      labelNames: ['operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    ingestItems: new Counter({
      name: 'sightline_ingest_items_total',
      help: 'Ingested objects by status (stored or failed) and error code',
      labelNames: ['status', 'code'],
      registers,
    }),
    imageDecodeSeconds: new Histogram({
      name: 'sightline_image_decode_seconds',
      help: 'One image decoded once into the model input and, when asked, the thumbnail',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceBatchSize: new Histogram({
      name: 'sightline_inference_batch_size',
      help: 'Inputs per inference batch, per tower',
      labelNames: ['tower'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    inferenceQueueSeconds: new Histogram({
      name: 'sightline_inference_queue_wait_seconds',
      help: 'Time an input waits for its inference batch to start, per tower',
      labelNames: ['tower'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceSeconds: new Histogram({
      name: 'sightline_inference_batch_duration_seconds',
      help: 'Time one batch takes in a tower',
      labelNames: ['tower'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    storeQuerySeconds: new Histogram({
      name: 'sightline_store_query_duration_seconds',
      help: 'Vector store query time (search or filtered listing)',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    trackJobQueue(depth) {
      jobDepth = depth;
    },
  };
}
