/**
 * SigLIP's building blocks as ONNX nodes, following Hugging Face's
 * modeling_siglip.py: pre-LayerNorm encoder layers (multi-head self-attention
 * with biased q/k/v/out projections; MLP fc1 → tanh-approximated GELU → fc2)
 * and the multi-head attention pooling head of the vision tower. Linear
 * weights are stored [in, out] so each projection is one MatMul, as ONNX
 * exports of these models store them.
 */
import type { GraphBuilder } from './graph-builder.ts';
import type { EncoderDims } from './model-dims.ts';
import type { WeightInit } from './weights.ts';

const PROJECTION = { mean: 0, std: 0.02 };
/**
 * Queries and keys drawn wider than other projections: with 0.02 attention is
 * near-uniform, and a padded text's last position (the text pooler) would
 * barely depend on its words. 0.05 gives the peaked attention of a trained
 * net, so different texts and images get clearly different embeddings.
 */
const QUERY_KEY = { mean: 0, std: 0.05 };
const GAIN = { mean: 1, std: 0.02 };
const SHIFT = { mean: 0, std: 0.02 };
/** Embeddings as Hugging Face initialises them: normal with std 1/√hidden. */
export function embeddingInit(hiddenSize: number) {
  return { mean: 0, std: 1 / Math.sqrt(hiddenSize) };
}

export function linear(
  g: GraphBuilder,
  x: string,
  prefix: string,
  inDim: number,
  outDim: number,
  output?: string,
  init: WeightInit = PROJECTION,
): string {
  const product = g.matmul(x, `${prefix}.weight`, [inDim, outDim], init);
  return g.op('Add', [product, g.weight(`${prefix}.bias`, [outDim], SHIFT)], undefined, output);
}

export function layerNorm(g: GraphBuilder, x: string, prefix: string, dim: number, eps: number, output?: string): string {
  const gamma = g.weight(`${prefix}.weight`, [dim], GAIN);
  const beta = g.weight(`${prefix}.bias`, [dim], SHIFT);
  return g.op('LayerNormalization', [x, gamma, beta], [{ name: 'axis', int: -1 }, { name: 'epsilon', float: eps }], output);
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): SigLIP's gelu_pytorch_tanh. */
function geluTanh(g: GraphBuilder, x: string): string {
  const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Add', [x, g.op('Mul', [cube, g.scalar('gelu_cubic', 0.044715)])]);
  const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar('gelu_sqrt_2_over_pi', Math.sqrt(2 / Math.PI))])]);
  const onePlus = g.op('Add', [t, g.scalar('one', 1)]);
  return g.op('Mul', [g.op('Mul', [x, onePlus]), g.scalar('half', 0.5)]);
}

export function mlp(g: GraphBuilder, x: string, prefix: string, d: EncoderDims): string {
  const hidden = geluTanh(g, linear(g, x, `${prefix}.fc1`, d.hiddenSize, d.intermediateSize));
  return linear(g, hidden, `${prefix}.fc2`, d.intermediateSize, d.hiddenSize);
}

/** [batch, seq, hidden] → [batch, heads, seq, headDim], or [batch, heads, headDim, seq] for keys. */
function splitHeads(g: GraphBuilder, x: string, d: EncoderDims, keys: boolean): string {
  const headDim = d.hiddenSize / d.numAttentionHeads;
  const shape = g.int64(`split_heads_${d.numAttentionHeads}x${headDim}`, [0, -1, d.numAttentionHeads, headDim]);
  return g.op('Transpose', [g.op('Reshape', [x, shape])], [{ name: 'perm', ints: keys ? [0, 2, 3, 1] : [0, 2, 1, 3] }]);
}

/**
 * Multi-head attention of `query` over `context`, with no mask: SigLIP's
 * text tower is trained on padded sequences and attends to the padding too.
 * The query may have batch 1 (the pooling probe) and broadcasts over the batch.
 */
export function attention(g: GraphBuilder, query: string, context: string, prefix: string, d: EncoderDims): string {
  const h = d.hiddenSize;
  const q = splitHeads(g, linear(g, query, `${prefix}.q_proj`, h, h, undefined, QUERY_KEY), d, false);
  const k = splitHeads(g, linear(g, context, `${prefix}.k_proj`, h, h, undefined, QUERY_KEY), d, true);
  const v = splitHeads(g, linear(g, context, `${prefix}.v_proj`, h, h), d, false);
  const scale = g.scalar(`attention_scale_${h / d.numAttentionHeads}`, 1 / Math.sqrt(h / d.numAttentionHeads));
  const weights = g.op('Softmax', [g.op('Mul', [g.op('MatMul', [q, k]), scale])], [{ name: 'axis', int: -1 }]);
  const merged = g.op('Transpose', [g.op('MatMul', [weights, v])], [{ name: 'perm', ints: [0, 2, 1, 3] }]);
  const joined = g.op('Reshape', [merged, g.int64(`merge_heads_${h}`, [0, 0, h])]);
  return linear(g, joined, `${prefix}.out_proj`, h, h);
}

function encoderLayer(g: GraphBuilder, x: string, prefix: string, d: EncoderDims, eps: number): string {
  const normed = layerNorm(g, x, `${prefix}.layer_norm1`, d.hiddenSize, eps);
  const afterAttention = g.op('Add', [x, attention(g, normed, normed, `${prefix}.self_attn`, d)]);
  const normed2 = layerNorm(g, afterAttention, `${prefix}.layer_norm2`, d.hiddenSize, eps);
  return g.op('Add', [afterAttention, mlp(g, normed2, `${prefix}.mlp`, d)]);
}

export function encoder(g: GraphBuilder, x: string, prefix: string, d: EncoderDims, eps: number): string {
  let hidden = x;
  for (let i = 0; i < d.numHiddenLayers; i++) hidden = encoderLayer(g, hidden, `${prefix}.layers.${i}`, d, eps);
  return hidden;
}

/**
 * SigLIP's vision pooler: a learned probe attends over every token, then
 * LayerNorm and an MLP with a residual; the probe's single token is the output.
 */
export function attentionPoolingHead(g: GraphBuilder, hidden: string, prefix: string, d: EncoderDims, eps: number, output: string): string {
  // Unit-scale like SigLIP's randn-initialised probe, so its query is not lost in the key biases.
  const probe = g.weight(`${prefix}.probe`, [1, 1, d.hiddenSize], { mean: 0, std: 1 });
  const attended = attention(g, probe, hidden, `${prefix}.attention`, d);
  const normed = layerNorm(g, attended, `${prefix}.layernorm`, d.hiddenSize, eps);
  const pooled = g.op('Add', [attended, mlp(g, normed, `${prefix}.mlp`, d)]);
  return g.op('Reshape', [pooled, g.int64(`take_probe_${d.hiddenSize}`, [0, d.hiddenSize])], undefined, output);
}
