/**
 * Reads an ONNX file's signature (inputs, outputs, opsets) and the layout of
 * its initializers without reading their data: a 450 MB model is checked in
 * milliseconds, by jumping over each tensor's raw bytes instead of loading the
 * model into onnxruntime. Field numbers are onnx/onnx.proto's.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, SightlineError } from '../errors.ts';

/** A symbolic dimension is its name; null where the file leaves it unknown. */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** null when the file records no shape at all. */
  dims: OnnxDim[] | null;
}

export interface OnnxInitializerInfo {
  name: string;
  dataType: number;
  dims: number[];
  /** Where raw_data starts in the file, or -1 when the values are stored otherwise. */
  dataOffset: number;
  byteLength: number;
}

export interface OnnxSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  /** Graph inputs that are not initializers: what a caller must feed. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: OnnxInitializerInfo[];
  opTypes: string[];
}

interface Field {
  field: number;
  wireType: number;
  /** Varint value, for wire type 0. */
  value: number;
  /** Payload span in the source, for length-delimited fields. */
  start: number;
  end: number;
}

class MalformedProto extends Error {}

function readVarint(buf: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const byte = buf[i] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return { value, next: i + 1 };
  }
  throw new MalformedProto('bad varint');
}

/** One field header at `pos` of a buffer that holds at least the header. */
function parseField(buf: Uint8Array, pos: number, base: number, limit: number): Field {
  const key = readVarint(buf, pos);
  const field = Math.floor(key.value / 8);
  const wireType = key.value % 8;
  if (field === 0) throw new MalformedProto('field number 0');
  let cursor = key.next;
  let value = 0;
  let length = 0;
  if (wireType === 0) {
    const v = readVarint(buf, cursor);
    value = v.value;
    cursor = v.next;
  } else if (wireType === 1 || wireType === 5) {
    length = wireType === 1 ? 8 : 4;
  } else if (wireType === 2) {
    const v = readVarint(buf, cursor);
    length = v.value;
    cursor = v.next;
  } else {
    throw new MalformedProto(`wire type ${wireType}`);
  }
  const start = base + cursor;
  if (start + length > limit) throw new MalformedProto('field runs past its message');
  return { field, wireType, value, start, end: start + length };
}

function* fieldsOf(buf: Uint8Array): Generator<Field> {
  for (let pos = 0; pos < buf.length; ) {
    const f = parseField(buf, pos, 0, buf.length);
    yield f;
    pos = f.end;
  }
}

interface FileSource {
  bytes(start: number, end: number): Promise<Uint8Array>;
}

const WINDOW = 64 * 1024;

/** Positioned reads through one 64 KB window: headers of neighbouring fields cost one read. */
function windowedSource(handle: fs.FileHandle, size: number): FileSource {
  let windowStart = 0;
  let window = new Uint8Array(0);
  return {
    async bytes(start, end) {
      if (end > size) throw new MalformedProto('truncated file');
      if (start >= windowStart && end <= windowStart + window.length) {
        return window.subarray(start - windowStart, end - windowStart);
      }
      const length = Math.max(end - start, Math.min(WINDOW, size - start));
      const buf = new Uint8Array(length);
      const { bytesRead } = await handle.read(buf, 0, length, start);
      if (bytesRead < end - start) throw new MalformedProto('truncated file');
      windowStart = start;
      window = buf.subarray(0, bytesRead);
      return window.subarray(0, end - start);
    },
  };
}

async function* fieldsIn(source: FileSource, start: number, end: number): AsyncGenerator<Field> {
  for (let pos = start; pos < end; ) {
    const header = await source.bytes(pos, Math.min(end, pos + 20));
    const f = parseField(header, 0, pos, end);
    yield f;
    pos = f.end;
  }
}

const text = (buf: Uint8Array) => new TextDecoder().decode(buf);
const sub = (buf: Uint8Array, f: Field) => buf.subarray(f.start, f.end);

function parseDims(shape: Uint8Array): OnnxDim[] {
  const dims: OnnxDim[] = [];
  for (const d of fieldsOf(shape)) {
    if (d.field !== 1) continue;
    let dim: OnnxDim = null;
    for (const f of fieldsOf(sub(shape, d))) {
      if (f.field === 1 && f.wireType === 0) dim = f.value;
      else if (f.field === 2 && f.wireType === 2) dim = text(sub(sub(shape, d), f));
    }
    dims.push(dim);
  }
  return dims;
}

/** ValueInfoProto → TypeProto.tensor_type → elem_type and shape. */
function parseValueInfo(buf: Uint8Array): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0, dims: null };
  for (const f of fieldsOf(buf)) {
    if (f.field === 1 && f.wireType === 2) info.name = text(sub(buf, f));
    if (f.field !== 2 || f.wireType !== 2) continue;
    const type = sub(buf, f);
    for (const t of fieldsOf(type)) {
      if (t.field !== 1 || t.wireType !== 2) continue;
      const tensor = sub(type, t);
      for (const e of fieldsOf(tensor)) {
        if (e.field === 1 && e.wireType === 0) info.elemType = e.value;
        if (e.field === 2 && e.wireType === 2) info.dims = parseDims(sub(tensor, e));
      }
    }
  }
  return info;
}

function parseOpType(buf: Uint8Array): string {
  for (const f of fieldsOf(buf)) if (f.field === 4 && f.wireType === 2) return text(sub(buf, f));
  return '';
}

function parseOpset(buf: Uint8Array): { domain: string; version: number } {
  const opset = { domain: '', version: 0 };
  for (const f of fieldsOf(buf)) {
    if (f.field === 1 && f.wireType === 2) opset.domain = text(sub(buf, f));
    if (f.field === 2 && f.wireType === 0) opset.version = f.value;
  }
  return opset;
}

/** TensorProto without its values: raw_data (9) is noted and skipped. */
async function readInitializer(source: FileSource, start: number, end: number): Promise<OnnxInitializerInfo> {
  const info: OnnxInitializerInfo = { name: '', dataType: 0, dims: [], dataOffset: -1, byteLength: 0 };
  for await (const f of fieldsIn(source, start, end)) {
    if (f.field === 1 && f.wireType === 0) info.dims.push(f.value);
    else if (f.field === 1 && f.wireType === 2) {
      const packed = await source.bytes(f.start, f.end);
      for (let pos = 0; pos < packed.length; ) {
        const v = readVarint(packed, pos);
        info.dims.push(v.value);
        pos = v.next;
      }
    } else if (f.field === 2 && f.wireType === 0) info.dataType = f.value;
    else if (f.field === 8 && f.wireType === 2) info.name = text(await source.bytes(f.start, f.end));
    else if (f.field === 9 && f.wireType === 2) {
      info.dataOffset = f.start;
      info.byteLength = f.end - f.start;
    }
  }
  return info;
}

async function readGraph(source: FileSource, start: number, end: number, summary: OnnxSummary): Promise<void> {
  const inputs: OnnxValueInfo[] = [];
  for await (const f of fieldsIn(source, start, end)) {
    if (f.wireType !== 2) continue;
    if (f.field === 1) summary.opTypes.push(parseOpType(await source.bytes(f.start, f.end)));
    else if (f.field === 5) summary.initializers.push(await readInitializer(source, f.start, f.end));
    else if (f.field === 11) inputs.push(parseValueInfo(await source.bytes(f.start, f.end)));
    else if (f.field === 12) summary.outputs.push(parseValueInfo(await source.bytes(f.start, f.end)));
  }
  const constant = new Set(summary.initializers.map((i) => i.name));
  summary.inputs = inputs.filter((i) => !constant.has(i.name));
}

/** Throws MODEL_INVALID naming the file when it is not a readable ONNX model. */
export async function readOnnxSummary(file: string): Promise<OnnxSummary> {
  const summary: OnnxSummary = { irVersion: 0, opsets: [], inputs: [], outputs: [], initializers: [], opTypes: [] };
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const source = windowedSource(handle, size);
    let sawGraph = false;
    for await (const f of fieldsIn(source, 0, size)) {
      if (f.field === 1 && f.wireType === 0) summary.irVersion = f.value;
      if (f.field === 8 && f.wireType === 2) summary.opsets.push(parseOpset(await source.bytes(f.start, f.end)));
      if (f.field === 7 && f.wireType === 2) {
        sawGraph = true;
        await readGraph(source, f.start, f.end, summary);
      }
    }
    if (!sawGraph || summary.irVersion === 0) throw new MalformedProto('no graph or IR version');
    return summary;
  } catch (err) {
    if (!(err instanceof MalformedProto)) throw err;
    throw new SightlineError(
      ErrorCode.MODEL_INVALID,
      `${path.basename(file)}: not a readable ONNX model (${err.message})`,
      { file },
      { cause: err },
    );
  } finally {
    await handle.close();
  }
}
