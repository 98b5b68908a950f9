/**
 * Worker thread entry: owns one tower's ONNX session, so that inference, which
 * blocks its thread for the whole run, never blocks the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toSightlineError } from '../../errors.ts';
import type { WireError, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';
import { openTower, type TowerRunner } from './onnx-sessions.ts';

const port = parentPort;
if (!port) throw new Error('inference/worker.ts must run in a worker thread');
const init = workerData as WorkerInit;

const wire = (err: unknown): WireError => {
  const e = toSightlineError(err, 'INFERENCE_FAILED');
  return { code: e.code, message: e.message };
};
const reply = (msg: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

async function handle(session: TowerRunner, req: WorkerRequest): Promise<void> {
  if (req.kind === 'release') {
    await session.release();
    port?.close();
    return;
  }
  try {
    const output = await session.run(req.data, req.dims);
    reply({ type: 'result', id: req.id, output }, [output.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ type: 'failed', id: req.id, error: wire(err) });
  }
}

try {
  const session = await openTower(init.tower, init.modelPath, init.dim, init.session);
  // One request at a time: onnxruntime already uses every intra-op thread.
  let chain = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(() => handle(session, req));
  });
  reply({ type: 'ready' });
} catch (err) {
  reply({ type: 'init-failed', error: wire(err) });
}
