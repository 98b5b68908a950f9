/**
 * Collects the nodes and initializers of one ONNX graph. Layers ask for
 * weights by name; the precision decides what sits behind them, in the
 * operator form the published SigLIP exports use:
 * - fp32: float32 initializers;
 * - fp16: float16 initializers and a Cast to float32;
 * - int8 / uint8: onnxruntime's dynamic quantization (QuantizationMode.IntegerOps,
 *   as transformers.js's scripts/quantize.py runs it): each MatMul and Conv
 *   becomes DynamicQuantizeLinear on its input, MatMulInteger / ConvInteger
 *   on integer weights, Cast and a Mul by both scales; an embedding Gather reads
 *   an integer table and dequantizes what it gathered.
 * Every variant keeps the fp32 model's inputs, outputs and computation.
 */
import { DataType, type Attribute, type GraphSpec, type NodeSpec, type TensorSpec, type ValueInfoSpec } from './onnx-encode.ts';
import { float16Weights, float32Weights, integerWeights, type IntegerType, type WeightInit, type WeightSpec } from './weights.ts';

export type Precision = 'fp32' | 'fp16' | IntegerType;

export interface GraphBuilder {
  /** A learned tensor used as is (added, normalised by); returns the name of its float32 value. */
  weight(name: string, dims: readonly number[], init: WeightInit): string;
  /** x · W for a learned W of `dims` [in, out]; returns the float32 product. */
  matmul(x: string, name: string, dims: readonly number[], init: WeightInit): string;
  /** A convolution of x by a learned kernel, plus a learned bias. */
  conv(x: string, kernel: WeightSpec, bias: string, attributes: readonly Attribute[]): string;
  /** Rows of a learned table (an embedding lookup). */
  gather(name: string, dims: readonly number[], init: WeightInit, indices: string): string;
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

interface Quantized {
  value: string;
  scale: string;
  zeroPoint: string;
}

export function createGraphBuilder(seed: number, precision: Precision): GraphBuilder {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  const constants = new Set<string>();
  /** One DynamicQuantizeLinear per activation, shared by its consumers (q, k and v read the same input). */
  const dynamic = new Map<string, Quantized>();
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

  const float32 = (spec: WeightSpec): string => {
    initializers.push({ name: spec.name, dataType: DataType.FLOAT, dims: spec.dims, data: float32Weights(seed, spec) });
    return spec.name;
  };

  const weight: GraphBuilder['weight'] = (name, dims, init) => {
    const spec = { name, dims, init };
    // Vectors (biases, LayerNorm) stay float32 in every variant, as exporters leave them.
    if (precision !== 'fp16' || dims.length < 2) return float32(spec);
    initializers.push({ name: `${name}_fp16`, dataType: DataType.FLOAT16, dims, data: float16Weights(seed, spec) });
    return op('Cast', [`${name}_fp16`], [{ name: 'to', int: DataType.FLOAT }], name);
  };

  /** An integer initializer with its scale and zero point, named as onnxruntime's quantizer names them. */
  const integerWeight = (spec: WeightSpec, type: IntegerType, perChannel: boolean, reduceRange: boolean): Quantized => {
    const q = integerWeights(seed, spec, { type, perChannel, reduceRange });
    const elemType = type === 'int8' ? DataType.INT8 : DataType.UINT8;
    const channelDims = perChannel ? [q.scales.length] : [];
    const names = { value: `${spec.name}_quantized`, scale: `${spec.name}_scale`, zeroPoint: `${spec.name}_zero_point` };
    initializers.push(
      { name: names.value, dataType: elemType, dims: spec.dims, data: q.data },
      { name: names.scale, dataType: DataType.FLOAT, dims: channelDims, data: bytesOf(q.scales) },
      { name: names.zeroPoint, dataType: elemType, dims: channelDims, data: q.zeroPoints },
    );
    return names;
  };

  /** Activations are quantized at run time to uint8, the only type DynamicQuantizeLinear produces. */
  const quantizeActivation = (x: string): Quantized => {
    let q = dynamic.get(x);
    if (!q) {
      q = { value: `${x}_quantized`, scale: `${x}_scale`, zeroPoint: `${x}_zero_point` };
      nodes.push({ opType: 'DynamicQuantizeLinear', inputs: [x], outputs: [q.value, q.scale, q.zeroPoint] });
      dynamic.set(x, q);
    }
    return q;
  };

  /** Integer op → int32 → float32, times the product of both scales (operators/matmul.py, conv.py). */
  const integerOp = (opType: string, x: Quantized, w: Quantized, attributes?: readonly Attribute[], output?: string): string => {
    const product = op(opType, [x.value, w.value, x.zeroPoint, w.zeroPoint], attributes);
    const asFloat = op('Cast', [product], [{ name: 'to', int: DataType.FLOAT }]);
    return op('Mul', [asFloat, op('Mul', [x.scale, w.scale])], undefined, output);
  };

  const matmul: GraphBuilder['matmul'] = (x, name, dims, init) => {
    if (precision === 'fp32' || precision === 'fp16') return op('MatMul', [x, weight(name, dims, init)]);
    // MatMul weights are quantized per output column and with the reduced range (quantize_weight(..., reduce_range=True, op_level_per_channel=True)).
    return integerOp('MatMulInteger', quantizeActivation(x), integerWeight({ name, dims, init }, precision, true, true));
  };

  const conv: GraphBuilder['conv'] = (x, kernel, bias, attributes) => {
    if (precision === 'fp32' || precision === 'fp16') {
      return op('Conv', [x, weight(kernel.name, kernel.dims, kernel.init), bias], attributes);
    }
    // Conv weights are quantized per tensor; the float bias is added after, reshaped to [1, -1, 1, 1] (conv.py's add_bias).
    const product = integerOp('ConvInteger', quantizeActivation(x), integerWeight(kernel, precision, false, true), attributes);
    const biasShape = int64(`${bias}_reshape_shape`, [1, -1, 1, 1]);
    return op('Add', [product, op('Reshape', [bias, biasShape])]);
  };

  const gather: GraphBuilder['gather'] = (name, dims, init, indices) => {
    const axis = [{ name: 'axis', int: 0 }];
    if (precision === 'fp32' || precision === 'fp16') return op('Gather', [weight(name, dims, init), indices], axis);
    // operators/gather.py quantizes the table as an activation (quantize_activation), so it is uint8 whatever the
    // weight type: per tensor, asymmetric, full range; the gathered rows are dequantized.
    const table = integerWeight({ name, dims, init }, 'uint8', false, false);
    const rows = op('Gather', [table.value, indices], axis);
    return op('DequantizeLinear', [rows, table.scale, table.zeroPoint]);
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
    matmul,
    conv,
    gather,
    int64,
    scalar,
    op,
    finish: (name, inputs, outputs) => ({ name, nodes, initializers, inputs, outputs }),
  };
}
