/**
 * The in-process backend: onnxruntime-node in this process, CPU or CUDA. Each
 * tower runs in its own worker thread by default, so a text query is never
 * queued behind a batch of sixteen images and the event loop stays free.
 */
import { ErrorCode, SightlineError } from '../../errors.ts';
import type { InferenceBackend, InferenceProvider, Tower, TowerSpec, TowerSpecs } from './inference-port.ts';
import { openTower, type SessionOptions, type TowerRunner } from './onnx-sessions.ts';
import { startTowerWorker } from './worker-client.ts';

export interface InProcessOptions {
  session: SessionOptions;
  /**
   * `worker` (the default) keeps the event loop free; `inline` runs on the
   * calling thread, for the benchmark's baseline and one-shot tools.
   * @default 'worker'
   */
  threading?: 'worker' | 'inline';
}

function localFile(spec: TowerSpec): string {
  if (spec.file === undefined) {
    throw new SightlineError(ErrorCode.MODEL_INVALID, `${spec.modelName}: in-process inference needs the tower's ONNX file in the model directory`);
  }
  return spec.file;
}

export function inProcessInference(opts: InProcessOptions): InferenceProvider {
  const threading = opts.threading ?? 'worker';
  const open = async (towers: TowerSpecs): Promise<InferenceBackend> => {
    const start = async (spec: TowerSpec) => {
      const dim = spec.output.dims[0];
      if (threading === 'inline') return { runner: await openTower(spec.tower, localFile(spec), dim, opts.session), failure: () => undefined };
      const worker = await startTowerWorker(spec.tower, localFile(spec), dim, opts.session);
      return { runner: worker as TowerRunner, failure: () => worker.failure() };
    };
    // Both towers load at once; if one fails, the other is released, not leaked.
    const opened = await Promise.allSettled([start(towers.vision), start(towers.text)]);
    const [vision, text] = opened.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    if (!vision || !text) {
      await Promise.all([vision?.runner.release(), text?.runner.release()]);
      throw opened.map((r) => (r.status === 'rejected' ? (r.reason as unknown) : undefined)).find((e) => e !== undefined);
    }
    const byTower: Record<Tower, typeof vision> = { vision, text };
    return {
      description: `in process (${opts.session.executionProvider}, ${threading === 'worker' ? 'worker threads' : 'calling thread'})`,
      infer: (tower, input) => byTower[tower].runner.run(input.data, input.dims),
      async ready() {
        const failure = vision.failure() ?? text.failure();
        return failure ? { ok: false, reason: failure.message } : { ok: true };
      },
      async close() {
        await Promise.all([vision.runner.release(), text.runner.release()]);
      },
    };
  };
  return { needsLocalWeights: true, open };
}
