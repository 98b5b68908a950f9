/**
 * The ONNX Runtime adapter: opens SigLIP's two towers and runs them. It is
 * used inside the inference worker (see worker.ts), never on the
 * event loop of the server, because `session.run` blocks its thread for the
 * whole inference (the benchmark's baseline and one-shot tools excepted):
 * onnxruntime-node 1.30's run() only defers its synchronous native call with
 * setImmediate (its lib/backend.ts), which test/extractor/extractor.test.ts holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { ErrorCode, SightlineError } from '../../errors.ts';
import type { Tower } from './inference-port.ts';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionOptions {
  executionProvider: ExecutionProvider;
  cudaDeviceId: number;
  /** Intra-op threads; 0 lets onnxruntime choose one per physical core. */
  threads: number;
}

/** A tower wherever it runs: model input in, `pooler_output` as the model returns it out (n × dim, row-major). */
export interface TowerRunner {
  run(data: Float32Array | BigInt64Array, dims: readonly number[]): Promise<Float32Array>;
  release(): Promise<void>;
}

/** A tower on this thread; `embed` gives the rows L2-normalised. */
export interface TowerSession extends TowerRunner {
  embed(data: Float32Array | BigInt64Array, dims: readonly number[]): Promise<Float32Array>;
}

/** Both towers on this thread. */
export interface SiglipSessions {
  vision: TowerSession;
  text: TowerSession;
  readonly dim: number;
  release(): Promise<void>;
}

const CUDA_HINT =
  'EXECUTION_PROVIDER=cuda needs onnxruntime-node\'s CUDA files and an NVIDIA driver with CUDA 12: ' +
  'run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` on the GPU host (see README, "GPU"), ' +
  'or set EXECUTION_PROVIDER=cpu';

/** The CUDA provider ships outside npm; its library is present only after the opt-in install. */
function cudaProviderInstalled(): boolean {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const binDir = path.join(pkgDir, 'bin');
  const stack = [binDir];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) stack.push(path.join(dir, entry.name));
      else if (entry.name.startsWith('libonnxruntime_providers_cuda')) return true;
    }
  }
  return false;
}

/**
 * A tower's onnxruntime session options; exported so that the benchmark's peers run the model with exactly these.
 */
export function towerSessionOptions(opts: SessionOptions, tower: Tower): ort.InferenceSession.SessionOptions {
  const providers: ort.InferenceSession.ExecutionProviderConfig[] =
    opts.executionProvider === 'cuda' ? [{ name: 'cuda', deviceId: opts.cudaDeviceId } as never, 'cpu'] : ['cpu'];
  return {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Spinning intra-op threads burn the cores that image decoding (sharp's
    // thread pool) needs between vision batches; parked threads cost a wake-up
    // per parallel section, which a text query (tens of ms, a person waiting)
    // feels and a 16-image batch does not. So only the text tower spins, and
    // only while a run lasts: once Run() returns, onnxruntime's pool threads
    // would otherwise go on spinning for 2^20 pauses each (tens of ms on this
    // CPU), taking a core from decoding, the vision tower and the next query;
    // `force_spinning_stop` parks them when the last Run() returns
    // (onnxruntime_session_options_config_keys.h).
    extra: {
      session: {
        intra_op: { allow_spinning: tower === 'text' ? '1' : '0' },
        force_spinning_stop: '1',
      },
    },
  };
}

async function openSession(file: string, opts: SessionOptions, tower: Tower): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, towerSessionOptions(opts, tower));
  } catch (err) {
    if (opts.executionProvider === 'cuda') {
      throw new SightlineError(ErrorCode.EXECUTION_PROVIDER_UNAVAILABLE, `${CUDA_HINT} (${String(err)})`, {}, { cause: err });
    }
    throw new SightlineError(ErrorCode.MODEL_INVALID, `${path.basename(file)}: onnxruntime cannot load it: ${String(err)}`, { file }, { cause: err });
  }
}

export function l2NormaliseRows(data: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += (data[o + i] as number) ** 2;
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let i = 0; i < dim; i++) out[o + i] = (data[o + i] as number) * inv;
  }
  return out;
}

const INPUT: Record<Tower, { name: string; type: 'float32' | 'int64' }> = {
  vision: { name: 'pixel_values', type: 'float32' },
  text: { name: 'input_ids', type: 'int64' },
};

export async function openTower(tower: Tower, file: string, dim: number, opts: SessionOptions): Promise<TowerSession> {
  if (opts.executionProvider === 'cuda' && !cudaProviderInstalled()) {
    throw new SightlineError(ErrorCode.EXECUTION_PROVIDER_UNAVAILABLE, CUDA_HINT);
  }
  const session = await openSession(file, opts, tower);
  const input = INPUT[tower];
  const run = async (data: Float32Array | BigInt64Array, dims: readonly number[]): Promise<Float32Array> => {
    const n = dims[0] as number;
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run({ [input.name]: new ort.Tensor(input.type, data, dims) }, ['pooler_output']);
    } catch (err) {
      throw new SightlineError(ErrorCode.INFERENCE_FAILED, `${tower} inference failed: ${String(err)}`, {}, { cause: err });
    }
    const pooled = out.pooler_output;
    if (!pooled || pooled.dims.length !== 2 || pooled.dims[0] !== n || pooled.dims[1] !== dim) {
      throw new SightlineError(ErrorCode.INFERENCE_FAILED, `pooler_output has shape [${pooled?.dims.join(',')}], expected [${n},${dim}]`);
    }
    return pooled.data as Float32Array;
  };
  return {
    run,
    embed: async (data, dims) => l2NormaliseRows(await run(data, dims), dims[0] as number, dim),
    release: () => session.release(),
  };
}

/** Both towers on the calling thread (the benchmark's baseline, one-shot tools). */
export async function openSiglipSessions(
  files: { visionModelPath: string; textModelPath: string },
  dim: number,
  opts: SessionOptions,
): Promise<SiglipSessions> {
  const vision = await openTower('vision', files.visionModelPath, dim, opts);
  const text = await openTower('text', files.textModelPath, dim, opts);
  return {
    vision,
    text,
    dim,
    release: async () => {
      await vision.release();
      await text.release();
    },
  };
}
