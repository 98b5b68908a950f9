/**
 * The event-loop side of the inference workers. Each tower gets its own worker
 * thread, so a text query is never queued behind a batch of sixteen images.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCode, SightlineError, type ErrorCode as Code } from '../../errors.ts';
import type { WireError, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';
import type { Tower } from './inference-port.ts';
import type { SessionOptions, TowerRunner } from './onnx-sessions.ts';

type Pending = { resolve: (v: Float32Array) => void; reject: (e: unknown) => void };

const fromWire = (e: WireError) => new SightlineError(e.code as Code, e.message);

function waitUntilReady(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
  });
}

/** A tower in its worker; `failure` says why the worker can take no more work, once it cannot. */
export interface WorkerTower extends TowerRunner {
  failure(): SightlineError | undefined;
}

export async function startTowerWorker(tower: Tower, modelPath: string, dim: number, session: SessionOptions): Promise<WorkerTower> {
  const init: WorkerInit = { entry: new URL('./worker.ts', import.meta.url).href, tower, modelPath, dim, session };
  const worker = new Worker(new URL('../worker-boot.mjs', import.meta.url), { workerData: init, name: `sightline-${tower}` });
  try {
    await waitUntilReady(worker);
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: SightlineError | undefined;
  const failAll = (err: SightlineError) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (msg: WorkerReply) => {
    if (msg.type !== 'result' && msg.type !== 'failed') return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.type === 'result') p?.resolve(msg.output);
    else p?.reject(fromWire(msg.error));
  });
  worker.on('error', (err) => failAll(new SightlineError(ErrorCode.INFERENCE_FAILED, `${tower} worker crashed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new SightlineError(ErrorCode.INFERENCE_FAILED, `${tower} worker exited (code ${code})`)));

  return {
    failure: () => dead,
    run: (data, dims) =>
      new Promise<Float32Array>((resolve, reject) => {
        if (dead) return reject(dead);
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, kind: 'embed', data, dims: [...dims] } satisfies WorkerRequest, [data.buffer as ArrayBuffer]);
      }),
    release: async () => {
      if (dead) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ id: 0, kind: 'release' } satisfies WorkerRequest);
      await exited;
    },
  };
}
