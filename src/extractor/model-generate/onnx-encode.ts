/**
 * ONNX messages (onnx/onnx.proto field numbers) encoded with the small writer
 * in protobuf-writer.ts. Only what a SigLIP graph needs: tensors with raw
 * data, nodes with int/float/ints attributes, typed graph inputs and outputs.
 */
import {
  floatField,
  intField,
  messageField,
  packedIntsField,
  stringField,
  bytesField,
  type Piece,
  type Pieces,
} from './protobuf-writer.ts';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT64: 7, FLOAT16: 10 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

export interface TensorSpec {
  name: string;
  dataType: DataType;
  dims: readonly number[];
  /** Little-endian element bytes, as ONNX's raw_data requires. */
  data: Piece;
}

export type Attribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: readonly number[] };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly Attribute[];
}

/** A graph input or output; a string dimension is symbolic (dynamic). */
export interface ValueInfoSpec {
  name: string;
  elemType: DataType;
  dims: readonly (number | string)[];
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
}

const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

function encodeTensor(t: TensorSpec): Pieces {
  return [
    ...packedIntsField(1, t.dims),
    ...intField(2, t.dataType),
    ...stringField(8, t.name),
    ...bytesField(9, [t.data]),
  ];
}

function encodeAttribute(a: Attribute): Pieces {
  const name = stringField(1, a.name);
  if ('int' in a) return [...name, ...intField(20, AttributeType.INT), ...intField(3, a.int)];
  if ('float' in a) return [...name, ...intField(20, AttributeType.FLOAT), ...floatField(2, a.float)];
  return [...name, ...intField(20, AttributeType.INTS), ...packedIntsField(8, a.ints)];
}

function encodeNode(n: NodeSpec, index: number): Pieces {
  return [
    ...n.inputs.flatMap((i) => stringField(1, i)),
    ...n.outputs.flatMap((o) => stringField(2, o)),
    ...stringField(3, `${n.opType}_${index}`),
    ...stringField(4, n.opType),
    ...(n.attributes ?? []).flatMap((a) => messageField(5, encodeAttribute(a))),
  ];
}

function encodeValueInfo(v: ValueInfoSpec): Pieces {
  const dims = v.dims.flatMap((d) => messageField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  const tensorType = [...intField(1, v.elemType), ...messageField(2, dims)];
  return [...stringField(1, v.name), ...messageField(2, messageField(1, tensorType))];
}

function encodeGraph(g: GraphSpec): Pieces {
  return [
    ...g.nodes.flatMap((n, i) => messageField(1, encodeNode(n, i))),
    ...stringField(2, g.name),
    ...g.initializers.flatMap((t) => messageField(5, encodeTensor(t))),
    ...g.inputs.flatMap((v) => messageField(11, encodeValueInfo(v))),
    ...g.outputs.flatMap((v) => messageField(12, encodeValueInfo(v))),
  ];
}

/** A ModelProto: IR version 8, the default ONNX domain at opset 17. */
export function encodeModel(graph: GraphSpec, producerVersion: string): Pieces {
  const opset = [...stringField(1, ''), ...intField(2, OPSET_VERSION)];
  return [
    ...intField(1, IR_VERSION),
    ...stringField(2, 'sightline-model-generate'),
    ...stringField(3, producerVersion),
    ...messageField(7, encodeGraph(graph)),
    ...messageField(8, opset),
  ];
}
