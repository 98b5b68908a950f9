/**
 * Collects the nodes and initializers of one ONNX graph. Layers ask for
 * weights by name and get back a float32 tensor name; the storage variant
 * decides what sits behind it: the float32 initializer itself, a float16
 * initializer and a Cast, or uint8 with DequantizeLinear. So the fp16 and
 * quantized files keep the fp32 model's inputs, outputs and computation.
 */
import { DataType, type Attribute, type GraphSpec, type NodeSpec, type TensorSpec, type ValueInfoSpec } from './onnx-encode.ts';
import type { ModelVariant } from '../model-files.ts';
import { float16Weights, float32Weights, uint8Weights, type WeightInit } from './weights.ts';

export interface GraphBuilder {
  /** A learned tensor; returns the name of its float32 value. */
  weight(name: string, dims: readonly number[], init: WeightInit): string;
  /** An int64 constant (shapes, axes, indices), shared by name. */
  int64(name: string, values: readonly number[], dims?: readonly number[]): string;
  /** A float32 scalar constant, shared by name. */
  scalar(name: string, value: number): string;
  /** Adds a node with one output; returns its name (`output` when given). */
  op(opType: string, inputs: readonly string[], attributes?: readonly Attribute[], output?: string): string;
  finish(name: string, inputs: ValueInfoSpec[], outputs: ValueInfoSpec[]): GraphSpec;
}

function bytesOf(array: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export function createGraphBuilder(seed: number, variant: ModelVariant): GraphBuilder {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  const constants = new Set<string>();
  let counter = 0;

  const op: GraphBuilder['op'] = (opType, inputs, attributes, output) => {
    const name = output ?? `${opType.toLowerCase()}_${counter++}`;
    nodes.push({ opType, inputs, outputs: [name], ...(attributes ? { attributes } : {}) });
    return name;
  };

  const scalar: GraphBuilder['scalar'] = (name, value) => {
    if (!constants.has(name)) {
      constants.add(name);
      initializers.push({ name, dataType: DataType.FLOAT, dims: [], data: bytesOf(Float32Array.of(value)) });
    }
    return name;
  };

  const weight: GraphBuilder['weight'] = (name, dims, init) => {
    const spec = { name, dims, init };
    // Vectors (biases, LayerNorm) stay float32 in every variant, as exporters leave them.
    if (variant === 'fp32' || dims.length < 2) {
      initializers.push({ name, dataType: DataType.FLOAT, dims, data: float32Weights(seed, spec) });
      return name;
    }
    if (variant === 'fp16') {
      initializers.push({ name: `${name}_fp16`, dataType: DataType.FLOAT16, dims, data: float16Weights(seed, spec) });
      return op('Cast', [`${name}_fp16`], [{ name: 'to', int: DataType.FLOAT }], name);
    }
    const q = uint8Weights(seed, spec);
    initializers.push(
      { name: `${name}_quantized`, dataType: DataType.UINT8, dims, data: q.data },
      { name: `${name}_scale`, dataType: DataType.FLOAT, dims: [], data: bytesOf(Float32Array.of(q.scale)) },
      { name: `${name}_zero_point`, dataType: DataType.UINT8, dims: [], data: Uint8Array.of(q.zeroPoint) },
    );
    return op('DequantizeLinear', [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], undefined, name);
  };

  const int64: GraphBuilder['int64'] = (name, values, dims = [values.length]) => {
    if (!constants.has(name)) {
      constants.add(name);
      initializers.push({ name, dataType: DataType.INT64, dims, data: bytesOf(BigInt64Array.from(values, BigInt)) });
    }
    return name;
  };

  return {
    weight,
    int64,
    scalar,
    op,
    finish: (name, inputs, outputs) => ({ name, nodes, initializers, inputs, outputs }),
  };
}
