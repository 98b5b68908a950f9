import { describe, expect, it } from 'vitest';
import { exactSearch, MetricKind } from 'usearch';
import { seededRandom } from '../../src/extractor/model-generate/seeded-random.ts';
import { KERNEL_MARGIN, quantiseInto } from '../../src/store/int8-codes.ts';

const DIM = 768;
const random = seededRandom(42);
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());

function unit(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** Unit vectors: Gaussian, a shared direction plus noise (as embeddings have), and spiky (one large component). */
const vectors = [
  ...Array.from({ length: 60 }, () => unit(Float32Array.from({ length: DIM }, gauss))),
  ...Array.from({ length: 60 }, () => unit(Float32Array.from({ length: DIM }, (_, i) => Math.sin(i) + 0.3 * gauss()))),
  ...Array.from({ length: 20 }, () => unit(Float32Array.from({ length: DIM }, (_, i) => (i === 7 ? 40 : gauss())))),
];

function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const coded = vectors.map((v) => {
  const codes = new Int8Array(DIM);
  const error = quantiseInto(v, codes, 0);
  return { v, codes, error };
});

describe('int8 codes', () => {
  it('bound the exact cosine: |⟨q, x⟩ − cos(codes)| ≤ δx + δq for every pair', () => {
    let tightest = Infinity;
    for (const x of coded) {
      for (const q of coded) {
        const exact = dot64(x.v, q.v);
        const codeCosine = dot64(x.codes, q.codes) / Math.sqrt(dot64(x.codes, x.codes) * dot64(q.codes, q.codes));
        const slack = x.error + q.error - Math.abs(exact - codeCosine);
        tightest = Math.min(tightest, slack);
      }
    }
    expect(tightest).toBeGreaterThanOrEqual(0);
  });

  it('use the whole int8 range whatever the vector', () => {
    for (const { codes } of coded) expect(Math.max(...codes.map(Math.abs))).toBe(127);
  });

  it('keep a zero vector zero, with no error', () => {
    const codes = new Int8Array(DIM).fill(5);
    expect(quantiseInto(new Float32Array(DIM), codes, 0)).toBe(0);
    expect(codes.every((c) => c === 0)).toBe(true);
  });

  // The bound relies on usearch's int8 cosine being the codes' cosine up to KERNEL_MARGIN.
  it("agree with usearch's int8 cosine to well within KERNEL_MARGIN", () => {
    const data = new Int8Array(coded.length * DIM);
    coded.forEach(({ codes }, i) => data.set(codes, i * DIM));
    let worst = 0;
    for (const q of coded.slice(0, 40)) {
      const { keys, distances } = exactSearch(data, q.codes, DIM, coded.length, MetricKind.Cos, 1);
      keys.forEach((key, i) => {
        const x = coded[Number(key)]!;
        const codeCosine = dot64(x.codes, q.codes) / Math.sqrt(dot64(x.codes, x.codes) * dot64(q.codes, q.codes));
        worst = Math.max(worst, Math.abs(1 - distances[i]! - codeCosine));
      });
    }
    expect(worst).toBeLessThan(KERNEL_MARGIN / 10);
  });
});
