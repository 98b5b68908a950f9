/**
 * `sightline inference-server`'s HTTP side: the KServe v2 inference protocol
 * (with the binary tensor extension) over any inference backend, so a host
 * without Triton can serve SigLIP's towers to other Sightline servers. Every
 * input is checked against the model's declared input (name, datatype, shape,
 * batch size) before it reaches onnxruntime; bodies are bounded before they
 * are read; a model whose queue is full answers 503 at once, before its body
 * is buffered. Errors are KServe's error object, `{"error": "..."}`, plus
 * Sightline's `code`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, toSightlineError, type ErrorCode as Code } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { InferenceBackend, TowerSpec, TowerSpecs } from './inference-port.ts';
import { TOWERS } from './inference-port.ts';
import {
  HEADER_LENGTH,
  WireError,
  elementCount,
  encodeBinaryBody,
  parseWith,
  readTensor,
  requestSchema,
  splitBody,
  tensorAsJson,
  type RequestJson,
  type TensorJson,
  type WireTensor,
} from './kserve-wire.ts';

/** One feature's two towers and the backend that runs them. */
export interface ServedModel {
  towers: TowerSpecs;
  backend: InferenceBackend;
}

export interface KserveServerOptions {
  /** Every feature served; each tower is a model of its own (`<output name>_<tower>`). */
  models: ServedModel[];
  /** The largest batch one request may carry (Triton's max_batch_size). @default 16 */
  maxBatch?: number;
  /** Requests per model waiting beside the one running; more are refused with 503. @default 16 */
  maxQueued?: number;
  logger: Logger;
}

export interface RunningKserveServer {
  /** http://host:port, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** The JSON part of a request, whatever its tensors: names, shapes and parameters only. */
const MAX_JSON_HEADER_BYTES = 64 * 1024;
/** A float written out in JSON takes at most this many characters with its separator. */
const MAX_JSON_CHARS_PER_VALUE = 24;
const VERSION = '1';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** The body, refused past `max` bytes without buffering the rest. */
function readBody(req: http.IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(new HttpError(413, ErrorCode.BAD_USER_INPUT, `the body is ${declared} bytes; at most ${max} are accepted`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new HttpError(413, ErrorCode.BAD_USER_INPUT, `the body exceeds ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** The one input SigLIP's tower takes, checked against what the model declares. */
function checkInput(spec: TowerSpec, input: Pick<TensorJson, 'name' | 'datatype' | 'shape'>, maxBatch: number): void {
  const wanted = `${spec.input.datatype} [n,${spec.input.dims.join(',')}] with 1 ≤ n ≤ ${maxBatch}`;
  const [n, ...rest] = input.shape;
  const fits =
    input.name === spec.input.name &&
    input.datatype === spec.input.datatype &&
    n !== undefined &&
    n >= 1 &&
    n <= maxBatch &&
    rest.length === spec.input.dims.length &&
    rest.every((d, i) => d === spec.input.dims[i]);
  if (!fits) {
    throw new HttpError(400, ErrorCode.BAD_USER_INPUT, `${spec.modelName} takes ${spec.input.name}: ${wanted}; got ${input.name}: ${input.datatype} [${input.shape.join(',')}]`);
  }
}

function parseRequest(spec: TowerSpec, body: Uint8Array, headerLength: string | undefined, maxBatch: number) {
  const { json, binary } = splitBody(body, headerLength);
  const request: RequestJson = parseWith(requestSchema, json, 'inference request');
  if (request.inputs.length !== 1) throw new WireError(`${spec.modelName} takes one input, ${spec.input.name}; got ${request.inputs.length}`);
  const [described] = request.inputs as [RequestJson['inputs'][number]];
  // The shape is checked before any data is read, so a lying shape cannot make the server allocate.
  checkInput(spec, described, maxBatch);
  const cursor = { bytes: binary, offset: 0 };
  const input = readTensor(described, cursor);
  if (cursor.offset !== binary.length) throw new WireError(`${binary.length - cursor.offset} bytes follow the last binary tensor`);
  for (const o of request.outputs ?? []) {
    if (o.name !== spec.output.name) throw new WireError(`${spec.modelName} has no output ${o.name} (it gives ${spec.output.name})`);
  }
  const requested = request.outputs?.[0]?.parameters?.binary_data ?? request.parameters?.binary_data_output ?? false;
  return { id: request.id, input, binaryOutput: requested === true };
}

export function createKserveHandler(opts: KserveServerOptions): http.RequestListener {
  const maxBatch = opts.maxBatch ?? 16;
  const maxQueued = opts.maxQueued ?? 16;
  const models = new Map(opts.models.flatMap((m) => TOWERS.map((t) => [m.towers[t].modelName, { spec: m.towers[t], backend: m.backend }] as const)));
  const allReady = async () => (await Promise.all(opts.models.map((m) => m.backend.ready()))).every((c) => c.ok);
  const queued = new Map<string, number>();
  const maxBody = (spec: TowerSpec) => MAX_JSON_HEADER_BYTES + maxBatch * elementCount(spec.input.dims) * MAX_JSON_CHARS_PER_VALUE;
  const metadata = (spec: TowerSpec) => ({
    name: spec.modelName,
    versions: [VERSION],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: spec.input.name, datatype: spec.input.datatype, shape: [-1, ...spec.input.dims] }],
    outputs: [{ name: spec.output.name, datatype: spec.output.datatype, shape: [-1, ...spec.output.dims] }],
  });

  const infer = async ({ spec, backend }: { spec: TowerSpec; backend: InferenceBackend }, req: http.IncomingMessage, res: http.ServerResponse) => {
    const waiting = queued.get(spec.modelName) ?? 0;
    if (waiting > maxQueued) {
      throw new HttpError(503, ErrorCode.INFERENCE_QUEUE_FULL, `${spec.modelName} has ${waiting} requests queued (--max-queued ${maxQueued}); retry later`);
    }
    queued.set(spec.modelName, waiting + 1);
    try {
      const body = await readBody(req, maxBody(spec));
      const header = req.headers[HEADER_LENGTH];
      const { id, input, binaryOutput } = parseRequest(spec, body, typeof header === 'string' ? header : undefined, maxBatch);
      const data = await backend.infer(spec.tower, { data: input.data, dims: input.shape });
      const output: WireTensor = { name: spec.output.name, datatype: 'FP32', shape: [input.shape[0] as number, ...spec.output.dims], data };
      const head = { model_name: spec.modelName, model_version: VERSION, ...(id === undefined ? {} : { id }) };
      if (!binaryOutput) return sendJson(res, 200, { ...head, outputs: [tensorAsJson(output)] });
      const { body: out, headerLength } = encodeBinaryBody(head, 'outputs', [output]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': out.length, [HEADER_LENGTH]: headerLength });
      res.end(out);
    } finally {
      queued.set(spec.modelName, (queued.get(spec.modelName) ?? 1) - 1);
    }
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/v2/health/live') return sendJson(res, 200, { live: true });
    if (req.method === 'GET' && path === '/v2/health/ready') {
      const ready = await allReady();
      return sendJson(res, ready ? 200 : 503, { ready });
    }
    if (req.method === 'GET' && path === '/v2') return sendJson(res, 200, { name: 'sightline', version: '0.1.0', extensions: ['binary_tensor_data'] });
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    const served = m ? models.get(decodeURIComponent(m[1] as string)) : undefined;
    if (!m || !served || (m[2] !== undefined && m[2] !== VERSION)) {
      throw new HttpError(404, ErrorCode.NOT_FOUND, m ? `no model ${m[1]}${m[2] ? ` version ${m[2]}` : ''} here (it serves ${[...models.keys()].join(', ')})` : `no route ${path}`);
    }
    if (req.method === 'GET' && m[3] === undefined) return sendJson(res, 200, metadata(served.spec));
    if (req.method === 'GET' && m[3] === '/ready') {
      const check = await served.backend.ready();
      return sendJson(res, check.ok ? 200 : 503, { name: served.spec.modelName, ready: check.ok });
    }
    if (req.method === 'POST' && m[3] === '/infer') return infer(served, req, res);
    throw new HttpError(405, ErrorCode.BAD_USER_INPUT, `${req.method} is not served on ${path}`);
  };

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      const e =
        err instanceof HttpError
          ? err
          : err instanceof WireError
            ? new HttpError(400, ErrorCode.BAD_USER_INPUT, err.message)
            : new HttpError(500, toSightlineError(err, ErrorCode.INFERENCE_FAILED).code, toSightlineError(err).message);
      if (e.status >= 500) opts.logger.error('inference request failed', { path: req.url, code: e.code, error: e.message });
      if (res.headersSent) return res.destroy();
      // A refused body is not read to its end: close the connection rather than drain it.
      if (e.status === 413 || e.status === 503) res.setHeader('connection', 'close');
      sendJson(res, e.status, { error: e.message, code: e.code });
    });
  };
}

export async function startKserveServer(opts: KserveServerOptions & { host: string; port: number }): Promise<RunningKserveServer> {
  const server = http.createServer(createKserveHandler(opts));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
