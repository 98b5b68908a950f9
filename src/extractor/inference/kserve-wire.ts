/**
 * The KServe v2 (Open Inference Protocol) HTTP body, with Triton's binary
 * tensor data extension: a JSON object, then each binary tensor's bytes in the
 * order the JSON lists them. The `Inference-Header-Content-Length` header gives
 * the JSON's length; a tensor sent as binary carries `binary_data_size` in its
 * `parameters` and has no `data`. Binary tensors are little-endian, row-major,
 * unpadded (every platform Node runs Sightline on is little-endian, so typed
 * arrays are copied as they are). Only FP32 and INT64 exist here: the types
 * SigLIP's towers take and give.
 */
import { z } from 'zod';
import type { TensorDatatype } from './inference-port.ts';

export const HEADER_LENGTH = 'inference-header-content-length';

export type TensorData = Float32Array | BigInt64Array;

export interface WireTensor {
  name: string;
  datatype: TensorDatatype;
  shape: number[];
  data: TensorData;
}

/** Why a body cannot be read; the server answers 400 with it, the client fails the call. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

const ELEMENT_BYTES: Record<TensorDatatype, number> = { FP32: 4, INT64: 8 };
const parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const dim = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Tensor data in JSON: flat or nested arrays of numbers (nesting is checked against the shape's size, not its form). */
type JsonData = number | JsonData[];
const jsonData: z.ZodType<JsonData[]> = z.array(z.union([z.number(), z.lazy(() => jsonData)]));

export const tensorSchema = z.object({
  name: z.string().min(1),
  shape: z.array(dim),
  datatype: z.string(),
  parameters: parameters.optional(),
  data: jsonData.optional(),
});
export type TensorJson = z.infer<typeof tensorSchema>;

export const requestSchema = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(tensorSchema).min(1),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: parameters.optional() })).optional(),
});
export type RequestJson = z.infer<typeof requestSchema>;

export const responseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: parameters.optional(),
  outputs: z.array(tensorSchema),
});

export const elementCount = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

export function isDatatype(value: string): value is TensorDatatype {
  return value === 'FP32' || value === 'INT64';
}

function flatten(data: JsonData[], out: number[], depth: number): void {
  if (depth > 32) throw new WireError('tensor data nests deeper than any shape');
  for (const item of data) {
    if (typeof item === 'number') out.push(item);
    else flatten(item, out, depth + 1);
  }
}

function fromJson(t: TensorJson, datatype: TensorDatatype, count: number): TensorData {
  const values: number[] = [];
  flatten(t.data ?? [], values, 0);
  if (values.length !== count) throw new WireError(`${t.name}: ${values.length} values for shape [${t.shape.join(',')}]`);
  if (datatype === 'FP32') return Float32Array.from(values);
  if (!values.every(Number.isSafeInteger)) throw new WireError(`${t.name}: INT64 data must be integers`);
  return BigInt64Array.from(values, (v) => BigInt(v));
}

function fromBytes(bytes: Uint8Array, datatype: TensorDatatype): TensorData {
  // A copy (never Buffer#slice, which shares): the body's buffer is not aligned
  // for 8-byte elements, and the tensor outlives it.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return datatype === 'FP32' ? new Float32Array(copy.buffer) : new BigInt64Array(copy.buffer);
}

/**
 * Reads a tensor object and its data, JSON or binary (taking its bytes from
 * `binary`, which advances). Throws WireError naming the tensor.
 */
export function readTensor(t: TensorJson, binary: { bytes: Uint8Array; offset: number }): WireTensor {
  if (!isDatatype(t.datatype)) throw new WireError(`${t.name}: datatype ${t.datatype} is not served here (FP32 or INT64)`);
  const count = elementCount(t.shape);
  const size = t.parameters?.binary_data_size;
  if (size === undefined) {
    if (t.data === undefined) throw new WireError(`${t.name}: neither data nor binary_data_size`);
    return { name: t.name, datatype: t.datatype, shape: t.shape, data: fromJson(t, t.datatype, count) };
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new WireError(`${t.name}: binary_data_size must be a byte count`);
  if (size !== count * ELEMENT_BYTES[t.datatype]) {
    throw new WireError(`${t.name}: binary_data_size ${size} does not fit shape [${t.shape.join(',')}] of ${t.datatype}`);
  }
  if (binary.offset + size > binary.bytes.length) throw new WireError(`${t.name}: the body ends inside its binary data`);
  const data = fromBytes(binary.bytes.subarray(binary.offset, binary.offset + size), t.datatype);
  binary.offset += size;
  return { name: t.name, datatype: t.datatype, shape: t.shape, data };
}

/** Splits a body into its JSON object and the binary bytes after it. */
export function splitBody(body: Uint8Array, headerLength: string | undefined): { json: unknown; binary: Uint8Array } {
  let length = body.length;
  if (headerLength !== undefined) {
    length = Number(headerLength);
    if (!/^\d+$/.test(headerLength) || length > body.length) {
      throw new WireError(`Inference-Header-Content-Length ${headerLength} does not fit a body of ${body.length} bytes`);
    }
    if (length === 0) throw new WireError('a raw binary request (Inference-Header-Content-Length: 0) is not served here; send the JSON header');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body.subarray(0, length)));
  } catch (err) {
    throw new WireError(`the JSON part of the body is not JSON (${(err as Error).message})`);
  }
  return { json, binary: body.subarray(length) };
}

export function parseWith<T extends z.ZodType>(schema: T, json: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
  throw new WireError(`${what}: ${problems.join('; ')}`);
}

const bytesOf = (data: TensorData) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/**
 * Writes a JSON object whose tensors all go as binary: each gets
 * `binary_data_size` and no `data`, and its bytes follow the JSON in order.
 */
export function encodeBinaryBody(
  head: Record<string, unknown>,
  key: 'inputs' | 'outputs',
  tensors: WireTensor[],
): { body: Uint8Array; headerLength: number } {
  const described = tensors.map((t) => ({
    name: t.name,
    datatype: t.datatype,
    shape: t.shape,
    parameters: { binary_data_size: t.data.byteLength },
  }));
  const json = new TextEncoder().encode(JSON.stringify({ ...head, [key]: described }));
  const body = new Uint8Array(json.length + tensors.reduce((n, t) => n + t.data.byteLength, 0));
  body.set(json, 0);
  let offset = json.length;
  for (const t of tensors) {
    body.set(bytesOf(t.data), offset);
    offset += t.data.byteLength;
  }
  return { body, headerLength: json.length };
}

/** A tensor with its data in the JSON itself (what a request without binary outputs gets). */
export function tensorAsJson(t: WireTensor): TensorJson {
  const data = t.data instanceof BigInt64Array ? Array.from(t.data, Number) : Array.from(t.data);
  return { name: t.name, datatype: t.datatype, shape: t.shape, data };
}
