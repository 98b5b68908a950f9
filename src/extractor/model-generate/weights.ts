/**
 * Deterministic random weights. Each tensor draws from its own generator,
 * seeded by the model seed and the tensor's name, so a tensor's values do not
 * depend on the order tensors are written in, and the fp16 and quantized
 * variants hold the same weights as the fp32 model, only stored narrower.
 */
import type { LazyBytes } from './protobuf-writer.ts';

/** normal(mean, std): std 0.02 for projections as in trained ViTs, mean 1 for LayerNorm gains. */
export interface WeightInit {
  mean: number;
  std: number;
}

export interface WeightSpec {
  name: string;
  dims: readonly number[];
  init: WeightInit;
}

export interface QuantizedWeights {
  data: LazyBytes;
  scale: number;
  zeroPoint: number;
}

const CHUNK = 1 << 18;

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** FNV-1a with four offsets: 128 bits of generator state from (seed, name). */
function stateFor(seed: number, name: string): Uint32Array {
  const state = new Uint32Array(4);
  const text = `${seed}/${name}`;
  for (let k = 0; k < 4; k++) {
    let h = (0x811c9dc5 ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    state[k] = h;
  }
  return state;
}

/** sfc32: fast, well mixed, and integer-only, so every machine draws the same numbers. */
function uniformSource(state: Uint32Array): () => number {
  let [a, b, c, d] = state as unknown as [number, number, number, number];
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Calls `visit` with consecutive chunks of the tensor's values (Box-Muller normals). */
export function forEachWeightChunk(seed: number, spec: WeightSpec, visit: (values: Float32Array) => void): void {
  const uniform = uniformSource(stateFor(seed, spec.name));
  const total = elementCount(spec.dims);
  const { mean, std } = spec.init;
  const buf = new Float32Array(Math.min(CHUNK, total));
  for (let done = 0; done < total; ) {
    const n = Math.min(buf.length, total - done);
    for (let i = 0; i < n; i += 2) {
      const radius = std * Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      buf[i] = mean + radius * Math.cos(angle);
      if (i + 1 < n) buf[i + 1] = mean + radius * Math.sin(angle);
    }
    visit(n === buf.length ? buf : buf.subarray(0, n));
    done += n;
  }
}

export function float32Weights(seed: number, spec: WeightSpec): LazyBytes {
  return {
    byteLength: elementCount(spec.dims) * 4,
    produce: (emit) => forEachWeightChunk(seed, spec, (v) => emit(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))),
  };
}

export function float16Weights(seed: number, spec: WeightSpec): LazyBytes {
  return {
    byteLength: elementCount(spec.dims) * 2,
    produce: (emit) =>
      forEachWeightChunk(seed, spec, (v) => {
        const half = new Uint16Array(v.length);
        for (let i = 0; i < v.length; i++) half[i] = toFloat16Bits(v[i] as number);
        emit(new Uint8Array(half.buffer));
      }),
  };
}

/** Per-tensor asymmetric uint8, as DequantizeLinear reads it: x = (q - zeroPoint) * scale. */
export function uint8Weights(seed: number, spec: WeightSpec): QuantizedWeights {
  let min = 0;
  let max = 0;
  forEachWeightChunk(seed, spec, (v) => {
    for (const x of v) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  });
  const scale = Math.fround((max - min) / 255 || 1);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  const data: LazyBytes = {
    byteLength: elementCount(spec.dims),
    produce: (emit) =>
      forEachWeightChunk(seed, spec, (v) => {
        const q = new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) q[i] = Math.min(255, Math.max(0, Math.round((v[i] as number) / scale) + zeroPoint));
        emit(q);
      }),
  };
  return { data, scale, zeroPoint };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a float32, rounded to nearest even. */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exp32 = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exp32 === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const exp = exp32 - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exp;
    return sign | roundShift(mantissa, shift);
  }
  return sign | ((exp << 10) + roundShift(mantissa, 13));
}

/** value >> shift, rounded half to even; a carry into the exponent is the correct result. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}
