/**
 * The event-loop side of the inference worker: the same surface as the ONNX
 * sessions themselves, backed by a worker thread.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCode, SightlineError, type ErrorCode as Code } from '../errors.ts';
import type { WireError, WorkerInit, WorkerReply, WorkerRequest } from './inference-protocol.ts';
import type { SessionOptions, SiglipSessions } from './onnx-sessions.ts';

type Pending = { resolve: (v: Float32Array) => void; reject: (e: unknown) => void };
type Outgoing = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

const fromWire = (e: WireError) => new SightlineError(e.code as Code, e.message);

export async function startInferenceWorker(
  files: { visionModelPath: string; textModelPath: string },
  dim: number,
  session: SessionOptions,
): Promise<SiglipSessions> {
  const init: WorkerInit = {
    entry: new URL('./inference-worker.ts', import.meta.url).href,
    visionModelPath: files.visionModelPath,
    textModelPath: files.textModelPath,
    dim,
    session,
  };
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: init });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: SightlineError | undefined;

  const failAll = (err: SightlineError) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) =>
      reject(new SightlineError(ErrorCode.INFERENCE_FAILED, `inference worker exited with code ${code} while loading`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (msg: WorkerReply) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (msg.type === 'ready') resolve();
      else if (msg.type === 'init-failed') reject(fromWire(msg.error));
      else reject(new SightlineError(ErrorCode.INFERENCE_FAILED, `unexpected message from worker: ${msg.type}`));
    });
  }).catch(async (err) => {
    await worker.terminate();
    throw err;
  });

  worker.on('message', (msg: WorkerReply) => {
    if (msg.type !== 'result' && msg.type !== 'failed') return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.type === 'result') p?.resolve(msg.embeddings);
    else p?.reject(fromWire(msg.error));
  });
  worker.on('error', (err) => failAll(new SightlineError(ErrorCode.INFERENCE_FAILED, `inference worker crashed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new SightlineError(ErrorCode.INFERENCE_FAILED, `inference worker exited (code ${code})`)));

  const call = (req: Outgoing, transfer: ArrayBuffer[]) =>
    new Promise<Float32Array>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id }, transfer);
    });

  return {
    dim,
    embedPixels: (data, n, height, width) =>
      call({ kind: 'pixels', data, n, height, width }, [data.buffer as ArrayBuffer]),
    embedTokens: (data, n, length) => call({ kind: 'tokens', data, n, length }, [data.buffer as ArrayBuffer]),
    release: async () => {
      if (dead) return;
      worker.postMessage({ kind: 'release', id: 0 } satisfies WorkerRequest);
      await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    },
  };
}
