/**
 * Just enough protobuf encoding for ONNX files. A message is a list of pieces
 * whose sizes are known up front, so a 450 MB model is written in one pass
 * without ever holding its weights in memory: large tensors are `LazyBytes`
 * that produce their bytes chunk by chunk while the file is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, SightlineError } from '../../errors.ts';

/** Bytes produced on demand; `byteLength` must equal what `emit` receives in total. */
export interface LazyBytes {
  readonly byteLength: number;
  produce(emit: (chunk: Uint8Array) => void): void;
}

export type Piece = Uint8Array | LazyBytes;
export type Pieces = Piece[];

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LENGTH_DELIMITED = 2;

/** Unsigned or non-negative varint; negative int64 values take the ten-byte two's-complement form. */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

function tag(field: number, wireType: number): Uint8Array {
  return varint((field << 3) | wireType);
}

export function byteLengthOf(pieces: Pieces): number {
  let n = 0;
  for (const p of pieces) n += p.byteLength;
  return n;
}

export function intField(field: number, value: number | bigint): Pieces {
  return [tag(field, WIRE_VARINT), varint(value)];
}

export function floatField(field: number, value: number): Pieces {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [tag(field, WIRE_FIXED32), bytes];
}

export function bytesField(field: number, content: Pieces): Pieces {
  return [tag(field, WIRE_LENGTH_DELIMITED), varint(byteLengthOf(content)), ...content];
}

export function stringField(field: number, value: string): Pieces {
  return bytesField(field, [new TextEncoder().encode(value)]);
}

export function messageField(field: number, message: Pieces): Pieces {
  return bytesField(field, message);
}

/** Packed repeated int64 (ONNX dims, ints attributes). */
export function packedIntsField(field: number, values: readonly number[]): Pieces {
  return bytesField(field, values.map((v) => varint(v)));
}

const WRITE_CHUNK = 4 << 20;

/**
 * Writes the pieces to `file` through a temporary sibling and a rename, so a
 * reader never sees half a model, even if generation is interrupted.
 */
export function writePiecesAtomically(file: string, pieces: Pieces): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, 'w');
  const buffer = Buffer.allocUnsafe(WRITE_CHUNK);
  let used = 0;
  const flush = () => {
    if (used > 0) fs.writeSync(fd, buffer, 0, used);
    used = 0;
  };
  const append = (chunk: Uint8Array) => {
    if (chunk.byteLength >= WRITE_CHUNK) {
      flush();
      fs.writeSync(fd, chunk);
      return;
    }
    if (used + chunk.byteLength > WRITE_CHUNK) flush();
    buffer.set(chunk, used);
    used += chunk.byteLength;
  };
  try {
    for (const piece of pieces) {
      if (piece instanceof Uint8Array) append(piece);
      else produceExactly(piece, append);
    }
    flush();
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, file);
}

/** A lazy piece that lies about its size would corrupt every length prefix above it. */
function produceExactly(piece: LazyBytes, append: (chunk: Uint8Array) => void): void {
  let produced = 0;
  piece.produce((chunk) => {
    produced += chunk.byteLength;
    append(chunk);
  });
  if (produced !== piece.byteLength) {
    throw new SightlineError(
      ErrorCode.INTERNAL_SERVER_ERROR,
      `lazy piece produced ${produced} bytes, declared ${piece.byteLength}`,
    );
  }
}
