/**
 * The ONNX Runtime adapter: opens SigLIP's two towers and runs them. It is
 * used inside the inference worker (see inference-worker.ts), never on the
 * event loop of the server, because `session.run` blocks its thread for the
 * whole inference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { ErrorCode, SightlineError } from '../errors.ts';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionOptions {
  executionProvider: ExecutionProvider;
  cudaDeviceId: number;
  /** Intra-op threads; 0 lets onnxruntime choose one per physical core. */
  threads: number;
}

export interface SiglipSessions {
  /** pixel values [n,3,h,w] → L2-normalised embeddings, n × dim, row-major. */
  embedPixels(pixels: Float32Array, n: number, height: number, width: number): Promise<Float32Array>;
  /** token ids [n,len] → L2-normalised embeddings, n × dim, row-major. */
  embedTokens(ids: BigInt64Array, n: number, length: number): Promise<Float32Array>;
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

function sessionOptions(opts: SessionOptions): ort.InferenceSession.SessionOptions {
  const providers: ort.InferenceSession.ExecutionProviderConfig[] =
    opts.executionProvider === 'cuda' ? [{ name: 'cuda', deviceId: opts.cudaDeviceId } as never, 'cpu'] : ['cpu'];
  return {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
}

async function openSession(file: string, opts: SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, sessionOptions(opts));
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

export async function openSiglipSessions(
  files: { visionModelPath: string; textModelPath: string },
  dim: number,
  opts: SessionOptions,
): Promise<SiglipSessions> {
  if (opts.executionProvider === 'cuda' && !cudaProviderInstalled()) {
    throw new SightlineError(ErrorCode.EXECUTION_PROVIDER_UNAVAILABLE, CUDA_HINT);
  }
  const vision = await openSession(files.visionModelPath, opts);
  const text = await openSession(files.textModelPath, opts);

  const run = async (session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, n: number) => {
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run(feeds, ['pooler_output']);
    } catch (err) {
      throw new SightlineError(ErrorCode.INFERENCE_FAILED, `inference failed: ${String(err)}`, {}, { cause: err });
    }
    const pooled = out.pooler_output;
    if (!pooled || pooled.dims.length !== 2 || pooled.dims[0] !== n || pooled.dims[1] !== dim) {
      throw new SightlineError(ErrorCode.INFERENCE_FAILED, `pooler_output has shape [${pooled?.dims.join(',')}], expected [${n},${dim}]`);
    }
    return l2NormaliseRows(pooled.data as Float32Array, n, dim);
  };

  return {
    dim,
    embedPixels: (pixels, n, height, width) =>
      run(vision, { pixel_values: new ort.Tensor('float32', pixels, [n, 3, height, width]) }, n),
    embedTokens: (ids, n, length) => run(text, { input_ids: new ort.Tensor('int64', ids, [n, length]) }, n),
    release: async () => {
      await vision.release();
      await text.release();
    },
  };
}
