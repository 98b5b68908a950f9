/**
 * Deterministic random weights. Each tensor draws from its own generator,
 * seeded by the model seed and the tensor's name, so a tensor's values do not
 * depend on the order tensors are written in, and the fp16 and integer
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

export type IntegerType = 'int8' | 'uint8';

export interface IntegerQuantization {
  type: IntegerType;
  /** One scale and zero point per slice of the last axis (a MatMul weight's output columns); else one per tensor. */
  perChannel: boolean;
  /** Seven bits instead of eight, so u8×s8 products cannot saturate on CPUs without VNNI. */
  reduceRange: boolean;
}

export interface QuantizedWeights {
  data: LazyBytes;
  /** Float32, one per channel (or one). */
  scales: Float32Array;
  /** Int8 or uint8 bytes, one per channel (or one). */
  zeroPoints: Uint8Array;
}

/** The integer range onnxruntime's quantizer maps weights onto (quant_utils.get_qmin_qmax_for_qType). */
function integerRange(q: IntegerQuantization): [number, number] {
  if (q.reduceRange) return q.type === 'uint8' ? [0, 127] : [-64, 64];
  return q.type === 'uint8' ? [0, 255] : [-127, 127];
}

/**
 * Weights quantized as onnxruntime's dynamic quantizer does it
 * (quant_utils.quantize_data): the range always includes 0; signed weights
 * are symmetric (zero point 0), unsigned ones asymmetric; q = round(x/scale) + zp.
 */
export function integerWeights(seed: number, spec: WeightSpec, q: IntegerQuantization): QuantizedWeights {
  const channels = q.perChannel ? (spec.dims[spec.dims.length - 1] as number) : 1;
  const min = new Float64Array(channels);
  const max = new Float64Array(channels);
  let offset = 0;
  forEachWeightChunk(seed, spec, (v) => {
    for (let i = 0; i < v.length; i++) {
      const c = (offset + i) % channels;
      const x = v[i] as number;
      if (x < (min[c] as number)) min[c] = x;
      if (x > (max[c] as number)) max[c] = x;
    }
    offset += v.length;
  });
  const [qmin, qmax] = integerRange(q);
  const scales = new Float32Array(channels);
  const zeros = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let lo = min[c] as number;
    let hi = max[c] as number;
    if (q.type === 'int8') [lo, hi] = [-Math.max(-lo, hi), Math.max(-lo, hi)];
    // numpy subtracts the float32 bounds in float32, divides in float64, and takes the zero point from the float64 scale.
    const scale = hi > lo ? Math.fround(hi - lo) / (qmax - qmin) : 1;
    scales[c] = scale;
    zeros[c] = roundHalfEven(qmin - lo / scale);
  }
  const data: LazyBytes = {
    byteLength: elementCount(spec.dims),
    produce: (emit) => {
      let at = 0;
      forEachWeightChunk(seed, spec, (v) => {
        const out = q.type === 'int8' ? new Int8Array(v.length) : new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const c = (at + i) % channels;
          // float32 / float32, rounded half to even (quant_utils.quantize_nparray), so the bytes are onnxruntime's.
          const value = roundHalfEven(Math.fround((v[i] as number) / (scales[c] as number))) + (zeros[c] as number);
          out[i] = Math.min(qmax, Math.max(qmin, value));
        }
        at += v.length;
        emit(new Uint8Array(out.buffer));
      });
    },
  };
  const zeroPoints = q.type === 'int8' ? new Uint8Array(Int8Array.from(zeros).buffer) : Uint8Array.from(zeros);
  return { data, scales, zeroPoints };
}

/** numpy's round: a half goes to the even neighbour (Math.round takes it up). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
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
