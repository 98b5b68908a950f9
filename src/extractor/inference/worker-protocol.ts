/** Messages between the event loop and an inference worker (one tower each). */
import type { Tower } from './inference-port.ts';
import type { SessionOptions } from './onnx-sessions.ts';

export interface WorkerInit {
  entry: string;
  tower: Tower;
  modelPath: string;
  dim: number;
  session: SessionOptions;
}

export type WorkerRequest =
  | { id: number; kind: 'embed'; data: Float32Array | BigInt64Array; dims: number[] }
  | { id: number; kind: 'release' };

export interface WireError {
  code: string;
  message: string;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-failed'; error: WireError }
  /** The tower's `pooler_output`, not normalised. */
  | { type: 'result'; id: number; output: Float32Array }
  | { type: 'failed'; id: number; error: WireError };
