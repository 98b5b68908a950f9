/**
 * The inference port: a SigLIP tower's input tensor in, its `pooler_output`
 * out. Preprocessing and tokenisation stay in the extractor, on every backend,
 * so a vector is the same wherever the tower runs; backends only move tensors
 * (worker threads in this process, or a KServe v2 server such as Triton).
 */
export type Tower = 'vision' | 'text';
export const TOWERS: readonly Tower[] = ['vision', 'text'];

/** The KServe v2 names of the two element types SigLIP's towers take and give. */
export type TensorDatatype = 'FP32' | 'INT64';

/** A batch: `dims[0]` rows, row-major data. */
export interface TowerInput {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

/** One tower as a model server names and types it. */
export interface TowerSpec {
  tower: Tower;
  /** The model's name on a KServe v2 server (`<feature output name>_<tower>`), and in a Triton repository. */
  modelName: string;
  /** Its one input; `dims` exclude the batch dimension. */
  input: { name: string; datatype: TensorDatatype; dims: number[] };
  /** `pooler_output`, [batch, embedding dimension]. */
  output: { name: string; datatype: 'FP32'; dims: [number] };
  /** The local ONNX file; absent where the weights live on the inference server only. */
  file?: string;
}

export type TowerSpecs = Record<Tower, TowerSpec>;

export type InferenceCheck = { ok: true } | { ok: false; reason: string };

export interface InferenceBackend {
  /** Where the towers run, for logs and /readyz. */
  readonly description: string;
  /**
   * Runs a tower on one batch. Resolves to its `pooler_output`, rows × dim,
   * row-major and not yet normalised (what the model itself returns).
   */
  infer(tower: Tower, input: TowerInput, signal?: AbortSignal): Promise<Float32Array>;
  /** Whether both towers can take work now (a remote server can go away after start-up). */
  ready(signal?: AbortSignal): Promise<InferenceCheck>;
  close(): Promise<void>;
}

/** Opens backends for a model's two towers: what the composition root hands the extractor. */
export interface InferenceProvider {
  /** Whether the towers' ONNX files must be in the local model directory (tokenizer and preprocessor files always are). */
  readonly needsLocalWeights: boolean;
  open(towers: TowerSpecs, signal?: AbortSignal): Promise<InferenceBackend>;
}
