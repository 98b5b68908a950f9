/**
 * Worker thread entry: owns the ONNX sessions so that inference, which blocks
 * its thread for the whole run, never blocks the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toSightlineError } from '../errors.ts';
import type { WireError, WorkerInit, WorkerReply, WorkerRequest } from './inference-protocol.ts';
import { openSiglipSessions, type SiglipSessions } from './onnx-sessions.ts';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts must run in a worker thread');
const init = workerData as WorkerInit;

const wire = (err: unknown): WireError => {
  const e = toSightlineError(err, 'INFERENCE_FAILED');
  return { code: e.code, message: e.message };
};
const reply = (msg: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

async function handle(sessions: SiglipSessions, req: WorkerRequest): Promise<void> {
  if (req.kind === 'release') {
    await sessions.release();
    port?.close();
    return;
  }
  try {
    const embeddings =
      req.kind === 'pixels'
        ? await sessions.embedPixels(req.data, req.n, req.height, req.width)
        : await sessions.embedTokens(req.data, req.n, req.length);
    reply({ type: 'result', id: req.id, embeddings }, [embeddings.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ type: 'failed', id: req.id, error: wire(err) });
  }
}

try {
  const sessions = await openSiglipSessions(init, init.dim, init.session);
  // One request at a time: onnxruntime already uses every intra-op thread.
  let chain = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(() => handle(sessions, req));
  });
  reply({ type: 'ready' });
} catch (err) {
  reply({ type: 'init-failed', error: wire(err) });
}
