/** Messages between the event loop and the inference worker. */
import type { SessionOptions } from './onnx-sessions.ts';

export interface WorkerInit {
  entry: string;
  visionModelPath: string;
  textModelPath: string;
  dim: number;
  session: SessionOptions;
}

export type WorkerRequest =
  | { id: number; kind: 'pixels'; data: Float32Array; n: number; height: number; width: number }
  | { id: number; kind: 'tokens'; data: BigInt64Array; n: number; length: number }
  | { id: number; kind: 'release' };

export interface WireError {
  code: string;
  message: string;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-failed'; error: WireError }
  | { type: 'result'; id: number; embeddings: Float32Array }
  | { type: 'failed'; id: number; error: WireError };
