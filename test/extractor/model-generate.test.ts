import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOnnxModel } from '../../src/extractor/model-generate/generate-model-dir.ts';
import type { ModelVariant } from '../../src/extractor/features/index.ts';
import { MODEL_SIZES, visionFlopsPerImage, type SiglipDims } from '../../src/extractor/model-generate/model-dims.ts';
import { readOnnxSummary } from '../../src/extractor/onnx-signature.ts';
import { buildTextGraph, buildVisionGraph } from '../../src/extractor/model-generate/siglip-towers.ts';
import { tinyModelDir } from '../fixtures/models.ts';

/** Small enough for a plain JS forward pass; two layers, so layers chain; a head wider than hidden. */
const MICRO: SiglipDims = {
  vision: { hiddenSize: 8, intermediateSize: 16, numAttentionHeads: 2, numHiddenLayers: 2, imageSize: 32, patchSize: 16, numChannels: 3 },
  text: { hiddenSize: 8, intermediateSize: 16, numAttentionHeads: 2, numHiddenLayers: 2, vocabSize: 50, maxPositionEmbeddings: 64, projectionSize: 12 },
  layerNormEps: 1e-6,
};

const SESSION: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-model-generate-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function writeMicro(tower: 'vision' | 'text', variant: ModelVariant, seed = 7): string {
  const file = path.join(workDir, `${tower}-${variant}-${seed}.onnx`);
  if (!fs.existsSync(file)) {
    writeOnnxModel(file, tower === 'vision' ? buildVisionGraph(MICRO, seed, variant) : buildTextGraph(MICRO, seed, variant));
  }
  return file;
}

// ---- A straightforward reference forward pass, in float64, from the weights stored in the file ----

type Weights = Map<string, Float64Array>;

async function readFloatWeights(file: string): Promise<Weights> {
  const summary = await readOnnxSummary(file);
  const bytes = fs.readFileSync(file);
  const weights: Weights = new Map();
  for (const init of summary.initializers) {
    if (init.dataType !== 1) continue;
    const raw = bytes.subarray(init.dataOffset, init.dataOffset + init.byteLength);
    weights.set(init.name, Float64Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))));
  }
  return weights;
}

type Rows = Float64Array[];

function w(weights: Weights, name: string): Float64Array {
  const value = weights.get(name);
  if (!value) throw new Error(`no weight ${name}`);
  return value;
}

function linearRef(x: Rows, weights: Weights, prefix: string): Rows {
  const W = w(weights, `${prefix}.weight`);
  const b = w(weights, `${prefix}.bias`);
  const out = b.length;
  return x.map((row) => {
    const y = Float64Array.from(b);
    for (let i = 0; i < row.length; i++) for (let o = 0; o < out; o++) y[o]! += row[i]! * W[i * out + o]!;
    return y;
  });
}

function layerNormRef(x: Rows, weights: Weights, prefix: string, eps: number): Rows {
  const g = w(weights, `${prefix}.weight`);
  const b = w(weights, `${prefix}.bias`);
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g[i]! + b[i]!);
  });
}

const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const add = (a: Rows, b: Rows): Rows => a.map((row, r) => row.map((v, i) => v + b[r]![i]!));

function mlpRef(x: Rows, weights: Weights, prefix: string): Rows {
  return linearRef(linearRef(x, weights, `${prefix}.fc1`).map((r) => r.map(gelu)), weights, `${prefix}.fc2`);
}

function attentionRef(query: Rows, context: Rows, weights: Weights, prefix: string, heads: number): Rows {
  const q = linearRef(query, weights, `${prefix}.q_proj`);
  const k = linearRef(context, weights, `${prefix}.k_proj`);
  const v = linearRef(context, weights, `${prefix}.v_proj`);
  const hidden = q[0]!.length;
  const hd = hidden / heads;
  const merged = q.map((qRow) => {
    const out = new Float64Array(hidden);
    for (let h = 0; h < heads; h++) {
      const scores = k.map((kRow) => {
        let s = 0;
        for (let i = h * hd; i < (h + 1) * hd; i++) s += qRow[i]! * kRow[i]!;
        return s / Math.sqrt(hd);
      });
      const max = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - max));
      const total = exp.reduce((a, e) => a + e, 0);
      exp.forEach((e, j) => {
        for (let i = h * hd; i < (h + 1) * hd; i++) out[i]! += (e / total) * v[j]![i]!;
      });
    }
    return out;
  });
  return linearRef(merged, weights, `${prefix}.out_proj`);
}

function encoderRef(x: Rows, weights: Weights, prefix: string, layers: number, heads: number, eps: number): Rows {
  let h = x;
  for (let l = 0; l < layers; l++) {
    const p = `${prefix}.layers.${l}`;
    const n1 = layerNormRef(h, weights, `${p}.layer_norm1`, eps);
    h = add(h, attentionRef(n1, n1, weights, `${p}.self_attn`, heads));
    h = add(h, mlpRef(layerNormRef(h, weights, `${p}.layer_norm2`, eps), weights, `${p}.mlp`));
  }
  return h;
}

function visionRef(pixels: Float32Array, weights: Weights, d: SiglipDims): Float64Array {
  const { imageSize: size, patchSize: p, hiddenSize: hidden, numChannels: channels } = d.vision;
  const grid = size / p;
  const kernel = w(weights, 'vision_model.embeddings.patch_embedding.weight');
  const kernelBias = w(weights, 'vision_model.embeddings.patch_embedding.bias');
  const positions = w(weights, 'vision_model.embeddings.position_embedding.weight');
  const tokens: Rows = [];
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      const t = tokens.length;
      const row = new Float64Array(hidden);
      for (let o = 0; o < hidden; o++) {
        let s = kernelBias[o]! + positions[t * hidden + o]!;
        for (let c = 0; c < channels; c++)
          for (let ky = 0; ky < p; ky++)
            for (let kx = 0; kx < p; kx++)
              s += kernel[((o * channels + c) * p + ky) * p + kx]! * pixels[(c * size + gy * p + ky) * size + gx * p + kx]!;
        row[o] = s;
      }
      tokens.push(row);
    }
  }
  const { numHiddenLayers: layers, numAttentionHeads: heads } = d.vision;
  const eps = d.layerNormEps;
  const last = layerNormRef(encoderRef(tokens, weights, 'vision_model.encoder', layers, heads, eps), weights, 'vision_model.post_layernorm', eps);
  const probe = [w(weights, 'vision_model.head.probe')];
  const attended = attentionRef(probe, last, weights, 'vision_model.head.attention', heads);
  const pooled = add(attended, mlpRef(layerNormRef(attended, weights, 'vision_model.head.layernorm', eps), weights, 'vision_model.head.mlp'));
  return pooled[0]!;
}

function textRef(ids: number[], weights: Weights, d: SiglipDims): Float64Array {
  const hidden = d.text.hiddenSize;
  const table = w(weights, 'text_model.embeddings.token_embedding.weight');
  const positions = w(weights, 'text_model.embeddings.position_embedding.weight');
  const tokens = ids.map((id, t) => {
    const row = new Float64Array(hidden);
    for (let i = 0; i < hidden; i++) row[i] = table[id * hidden + i]! + positions[t * hidden + i]!;
    return row;
  });
  const { numHiddenLayers: layers, numAttentionHeads: heads } = d.text;
  const encoded = encoderRef(tokens, weights, 'text_model.encoder', layers, heads, d.layerNormEps);
  const last = layerNormRef(encoded, weights, 'text_model.final_layer_norm', d.layerNormEps);
  return linearRef([last[last.length - 1]!], weights, 'text_model.head')[0]!;
}

// ---- Inputs ----

/** A smooth colour pattern in SigLIP's [-1, 1] range; `k` changes it. */
function pattern(size: number, k: number): Float32Array {
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) out[(c * size + y) * size + x] = Math.sin((x * (k + 1) + y * (3 - k) + 7 * c * k) / 9) * 0.9;
  return out;
}

function paddedIds(tokens: number[], length = 64, pad = 1): BigInt64Array {
  const ids = new BigInt64Array(length).fill(BigInt(pad));
  tokens.forEach((t, i) => (ids[i] = BigInt(t)));
  return ids;
}

function concatFloat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function concatIds(parts: BigInt64Array[]): BigInt64Array {
  const out = new BigInt64Array(parts.reduce((n, p) => n + p.length, 0));
  parts.forEach((p, i) => out.set(p, i * p.length));
  return out;
}

async function runVision(file: string, images: Float32Array[], size: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(file, SESSION);
  try {
    const out = await session.run({ pixel_values: new ort.Tensor('float32', concatFloat(images), [images.length, 3, size, size]) });
    const pooled = out.pooler_output!;
    return { data: pooled.data as Float32Array, dims: pooled.dims };
  } finally {
    await session.release();
  }
}

async function runText(file: string, texts: BigInt64Array[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(file, SESSION);
  try {
    const out = await session.run({ input_ids: new ort.Tensor('int64', concatIds(texts), [texts.length, texts[0]!.length]) });
    const pooled = out.pooler_output!;
    return { data: pooled.data as Float32Array, dims: pooled.dims };
  } finally {
    await session.release();
  }
}

const row = (data: Float32Array, r: number, dim: number) => data.subarray(r * dim, (r + 1) * dim);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

// ---- Tests ----

describe('generated SigLIP graphs compute SigLIP', () => {
  it('vision tower matches a reference forward pass of the same weights', async () => {
    const file = writeMicro('vision', 'fp32');
    const weights = await readFloatWeights(file);
    const images = [pattern(32, 0), pattern(32, 1)];
    const { data, dims } = await runVision(file, images, 32);
    expect(dims).toEqual([2, 8]);
    images.forEach((img, i) => expect(maxAbsDiff(row(data, i, 8), visionRef(img, weights, MICRO))).toBeLessThan(1e-4));
  });

  it('text tower matches a reference forward pass, pooling the last position through the head', async () => {
    const file = writeMicro('text', 'fp32');
    const weights = await readFloatWeights(file);
    const texts = [[5, 9, 13, 1], [40, 2, 1]];
    const { data, dims } = await runText(file, texts.map((t) => paddedIds(t)));
    expect(dims).toEqual([2, 12]);
    texts.forEach((t, i) => {
      const ids = Array.from(paddedIds(t), Number);
      expect(maxAbsDiff(row(data, i, 12), textRef(ids, weights, MICRO))).toBeLessThan(1e-4);
    });
  });
  it('text tower matches the reference at full width, where attention is peaked (tiny model)', async () => {
    const file = path.join(tinyModelDir(), 'onnx/text_model.onnx');
    const weights = await readFloatWeights(file);
    const ids = paddedIds([40, 52, 77, 300, 1]);
    const { data } = await runText(file, [ids]);
    expect(maxAbsDiff(data, textRef(Array.from(ids, Number), weights, MODEL_SIZES.tiny))).toBeLessThan(1e-4);
  });
});

describe('generation is deterministic', () => {
  it('the same dimensions and seed give byte-identical files; another seed gives other weights', () => {
    const first = sha256(writeMicro('vision', 'fp32', 3));
    const again = path.join(workDir, 'again.onnx');
    writeOnnxModel(again, buildVisionGraph(MICRO, 3, 'fp32'));
    expect(sha256(again)).toBe(first);
    expect(sha256(writeMicro('vision', 'fp32', 4))).not.toBe(first);
  });
});

describe('variants in the published operator form', () => {
  const INT8 = 3;
  const UINT8 = 2;
  /** Weight types per tower as transformers.js's quantize.py writes them (the vision tower has a Conv). */
  const integerTypes = { quantized: { vision: UINT8, text: INT8 }, int8: { vision: INT8, text: INT8 }, uint8: { vision: UINT8, text: UINT8 } };
  const tinyFile = (tower: 'vision' | 'text', variant: ModelVariant) => path.join(tinyModelDir(), 'onnx', `${tower}_model${variant === 'fp32' ? '' : `_${variant}`}.onnx`);

  it('fp16 keeps the inputs and outputs, stores half-size weights and matches fp32', async () => {
    const [a, b] = await Promise.all([readOnnxSummary(tinyFile('vision', 'fp16')), readOnnxSummary(tinyFile('vision', 'fp32'))]);
    expect(a.inputs).toEqual(b.inputs);
    expect(a.outputs).toEqual(b.outputs);
    expect(fs.statSync(tinyFile('vision', 'fp16')).size / fs.statSync(tinyFile('vision', 'fp32')).size).toBeLessThan(0.55);
    const images = [pattern(224, 2)];
    const [x, y] = [await runVision(tinyFile('vision', 'fp16'), images, 224), await runVision(tinyFile('vision', 'fp32'), images, 224)];
    expect(cosine(x.data, y.data)).toBeGreaterThan(0.9999);
  });

  for (const variant of ['quantized', 'int8', 'uint8'] as const) {
    it(`${variant}: dynamic quantization (DynamicQuantizeLinear, MatMulInteger, ConvInteger) with the published weight types`, async () => {
      for (const tower of ['vision', 'text'] as const) {
        const [q, full] = await Promise.all([readOnnxSummary(tinyFile(tower, variant)), readOnnxSummary(tinyFile(tower, 'fp32'))]);
        expect(q.inputs).toEqual(full.inputs);
        expect(q.outputs).toEqual(full.outputs);
        expect(q.opTypes).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger']));
        // Only attention's two products of activations stay MatMul (the quantizer's MatMulConstBOnly).
        const attentionBlocks = tower === 'vision' ? 2 : 1;
        expect(q.opTypes.filter((o) => o === 'MatMul')).toHaveLength(2 * attentionBlocks);
        if (tower === 'vision') expect(q.opTypes).toContain('ConvInteger');
        // The embedding table is quantized as an activation, uint8 in every variant (see the next tests).
        const weights = q.initializers.filter((i) => i.name.endsWith('.weight_quantized') && !i.name.includes('token_embedding'));
        expect(weights.length).toBeGreaterThan(0);
        expect(new Set(weights.map((w) => w.dataType))).toEqual(new Set([integerTypes[variant][tower]]));
        if (tower === 'text') {
          expect(q.initializers.find((i) => i.name === 'text_model.embeddings.token_embedding.weight_quantized')?.dataType).toBe(UINT8);
          expect(q.opTypes).toEqual(expect.arrayContaining(['Gather', 'DequantizeLinear']));
        }
        expect(fs.statSync(tinyFile(tower, variant)).size / fs.statSync(tinyFile(tower, 'fp32')).size).toBeLessThan(0.3);
      }
    });

    // Random weights: this bounds numeric agreement with fp32, nothing about retrieval quality.
    // Measured on the tiny model: cosine 0.9986 to 0.9995 across towers and variants.
    it(`${variant} embeds images and texts with cosine > 0.995 to fp32 on the same inputs`, async () => {
      const images = [pattern(224, 0), pattern(224, 3)];
      const [x, y] = [await runVision(tinyFile('vision', variant), images, 224), await runVision(tinyFile('vision', 'fp32'), images, 224)];
      const texts = [paddedIds([40, 52, 77, 1]), paddedIds([300, 12, 1])];
      const [t, u] = [await runText(tinyFile('text', variant), texts), await runText(tinyFile('text', 'fp32'), texts)];
      for (const r of [0, 1]) {
        expect(cosine(row(x.data, r, 768), row(y.data, r, 768))).toBeGreaterThan(0.995);
        expect(cosine(row(t.data, r, 768), row(u.data, r, 768))).toBeGreaterThan(0.995);
      }
    });
  }

  /**
   * The granularity and range of each quantized weight, as onnxruntime's dynamic quantizer writes them under
   * transformers.js's convert.py (per_channel and reduce_range on for SigLIP): operators/matmul.py quantizes a
   * MatMul weight per output column with 7 bits, operators/conv.py a Conv kernel per tensor with 7 bits, and
   * operators/gather.py the embedding table as an activation (uint8, per tensor, 8 bits); quant_utils.py makes
   * int8 symmetric (zero point 0) and uint8 asymmetric.
   */
  const published = {
    int8: { min: -64, max: 64, zeroPoint: 'zero' },
    uint8: { min: 0, max: 127, zeroPoint: 'free' },
  } as const;
  const cases = [
    { tower: 'text', weight: 'text_model.encoder.layers.0.mlp.fc1.weight', dims: [8, 16], channels: 16, full: false },
    { tower: 'vision', weight: 'vision_model.embeddings.patch_embedding.weight', dims: [8, 3, 16, 16], channels: 0, full: false },
    { tower: 'text', weight: 'text_model.embeddings.token_embedding.weight', dims: [50, 8], channels: 0, full: true },
  ] as const;
  for (const variant of ['int8', 'uint8'] as const) {
    for (const c of cases) {
      const granularity = c.channels ? `per output column (${c.channels})` : 'per tensor';
      const type = c.full ? 'uint8 at full range (an activation)' : `${variant} in [${published[variant].min}, ${published[variant].max}]`;
      it(`${variant}: ${c.weight.split('.').slice(-2, -1)[0]} is quantized ${granularity}, ${type}, as onnxruntime writes it`, async () => {
        const file = writeMicro(c.tower, variant);
        const summary = await readOnnxSummary(file);
        const bytes = fs.readFileSync(file);
        const find = (name: string) => {
          const found = summary.initializers.find((i) => i.name === name);
          if (!found) throw new Error(`no initializer ${name}`);
          return found;
        };
        const type = c.full ? 'uint8' : variant;
        const values = find(`${c.weight}_quantized`);
        expect(values.dataType).toBe(type === 'int8' ? INT8 : UINT8);
        expect(values.dims).toEqual(c.dims);
        const ints = [...integers(bytes, values, type)];
        const [low, high] = c.full ? [0, 255] : [published[variant].min, published[variant].max];
        // The largest magnitude lands on the end of the range: the scale is the range over the integer span.
        expect(type === 'int8' ? Math.max(...ints.map(Math.abs)) : Math.max(...ints)).toBe(high);
        expect(Math.min(...ints)).toBeGreaterThanOrEqual(low);
        if (c.full) expect(Math.min(...ints)).toBe(0);
        const scale = find(`${c.weight}_scale`);
        const zeroPoint = find(`${c.weight}_zero_point`);
        expect(scale.dims).toEqual(c.channels ? [c.channels] : []);
        expect(zeroPoint.dims).toEqual(c.channels ? [c.channels] : []);
        expect(zeroPoint.dataType).toBe(values.dataType);
        const zeros = [...integers(bytes, zeroPoint, type)];
        if (type === 'int8') expect(zeros.every((z) => z === 0)).toBe(true);
        else expect(zeros.every((z) => z >= low && z <= high)).toBe(true);
        // Asymmetric: each column's zero point follows its own range.
        if (type === 'uint8' && c.channels) expect(new Set(zeros).size).toBeGreaterThan(1);
      });
    }
  }
});

function integers(bytes: Buffer, init: { dataOffset: number; byteLength: number }, type: 'int8' | 'uint8'): Int8Array | Uint8Array {
  const raw = bytes.buffer.slice(bytes.byteOffset + init.dataOffset, bytes.byteOffset + init.dataOffset + init.byteLength);
  return type === 'int8' ? new Int8Array(raw) : new Uint8Array(raw);
}

describe('the tiny model', () => {
  it('embeds images as [batch, 768], finite, independent of the batch, and tells images apart', async () => {
    const file = path.join(tinyModelDir(), 'onnx/vision_model.onnx');
    const images = [pattern(224, 0), pattern(224, 1), pattern(224, 3)];
    const batch = await runVision(file, images, 224);
    expect(batch.dims).toEqual([3, 768]);
    expect(batch.data.every(Number.isFinite)).toBe(true);
    const alone = await runVision(file, [images[1]!], 224);
    expect(maxAbsDiff(alone.data, row(batch.data, 1, 768))).toBeLessThan(1e-5);
    expect(cosine(row(batch.data, 0, 768), row(batch.data, 1, 768))).toBeLessThan(0.9);
    expect(cosine(row(batch.data, 0, 768), row(batch.data, 2, 768))).toBeLessThan(0.9);
  });

  it('embeds padded texts as [batch, 768], finite, independent of the batch, and tells texts apart', async () => {
    const file = path.join(tinyModelDir(), 'onnx/text_model.onnx');
    const texts = [paddedIds([40, 52, 77, 1]), paddedIds([300, 12, 1]), paddedIds([40, 52, 78, 1])];
    const batch = await runText(file, texts);
    expect(batch.dims).toEqual([3, 768]);
    expect(batch.data.every(Number.isFinite)).toBe(true);
    const alone = await runText(file, [texts[2]!]);
    expect(maxAbsDiff(alone.data, row(batch.data, 2, 768))).toBeLessThan(1e-5);
    expect(cosine(row(batch.data, 0, 768), row(batch.data, 1, 768))).toBeLessThan(0.97);
  });
});

describe('the base model has SigLIP-B/16 dimensions', () => {
  const learned = (spec: ReturnType<typeof buildVisionGraph>) =>
    spec.initializers.filter((t) => t.dataType === 1 && t.dims.length > 0).reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);

  it('has the parameter count of google/siglip-base-patch16-224 in each tower', () => {
    expect(learned(buildVisionGraph(MODEL_SIZES.base, 0, 'fp32'))).toBe(92_884_224);
    expect(learned(buildTextGraph(MODEL_SIZES.base, 0, 'fp32'))).toBe(110_271_744);
  });

  it('costs about 35 GFLOP per image (2 × ViT-B/16 multiply-adds)', () => {
    expect(visionFlopsPerImage(MODEL_SIZES.base.vision) / 1e9).toBeCloseTo(35.3, 0);
  });

  it('writes a vision file whose graph reads back with the right signature and weights', async () => {
    const file = path.join(workDir, 'base-vision.onnx');
    writeOnnxModel(file, buildVisionGraph(MODEL_SIZES.base, 0, 'fp32'));
    try {
      const summary = await readOnnxSummary(file);
      expect(summary.inputs).toEqual([{ name: 'pixel_values', elemType: 1, dims: ['batch_size', 3, 224, 224] }]);
      expect(summary.outputs.find((o) => o.name === 'pooler_output')?.dims).toEqual(['batch_size', 768]);
      const floats = summary.initializers.filter((i) => i.dataType === 1 && i.dims.length > 0);
      const params = floats.reduce((n, i) => n + i.dims.reduce((a, b) => a * b, 1), 0);
      expect(params).toBe(92_884_224);
      expect(floats.every((i) => i.byteLength === 4 * i.dims.reduce((a, b) => a * b, 1))).toBe(true);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
