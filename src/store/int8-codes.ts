/**
 * The int8 form of a vector that the embedded store keeps in place of its
 * float32 values (which stay in SQLite): the HNSW graph walks it, scans read
 * it, and every answer is rescored in float32. It comes with a proven error
 * bound, which is what keeps exact search exact.
 *
 * The codes are the vector scaled so its largest component is ±127 and
 * rounded. Scaling per vector uses the whole int8 range: usearch's own
 * f32→i8 cast multiplies by 127 and clamps, which leaves a unit 768-d vector
 * (components ≈ ±0.04) with a handful of levels (recall 0.76 in issue 10).
 *
 * The bound: let x̂ = c/‖c‖ be the unit vector of the codes and
 * δ = ‖x − x̂‖ (computed exactly, per vector). For unit x and q,
 *   |⟨q, x⟩ − ⟨q̂, x̂⟩| ≤ |⟨q, x − x̂⟩| + |⟨q − q̂, x̂⟩| ≤ δx + δq
 * by Cauchy–Schwarz, and ⟨q̂, x̂⟩ is exactly the cosine of the two code
 * vectors, which usearch's int8 cosine computes (integer sums, then a
 * float32 normalisation whose error KERNEL_MARGIN covers). So a point whose
 * int8 cosine plus δx + δq + KERNEL_MARGIN falls below a score that k other
 * points provably reach cannot be among the k best: a scan only rescores
 * the points that can.
 */

/**
 * What usearch's int8 cosine may differ from the exact cosine of the codes:
 * its sums are exact integers (below 2^24 at 768 dims, so exact in float32
 * too), and the normalisation uses rsqrt with a Newton step (numkong's
 * `nk_angular_normalize_f32_haswell_`), good to about 1e-6. A hundred times
 * that; test/store/int8-codes.test.ts measures the kernel against it.
 */
export const KERNEL_MARGIN = 1e-4;

/**
 * Writes the codes of `v` (unit length, or zero) at `out[at…]` and returns
 * δ = ‖v − c/‖c‖‖ (in float64, as it is stored). A zero vector has zero codes and
 * δ = 0: both its exact and its int8 cosine are 0.
 */
export function quantiseInto(v: Float32Array, out: Int8Array, at: number): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  if (max === 0) {
    out.fill(0, at, at + v.length);
    return 0;
  }
  const scale = 127 / max;
  let norm2 = 0;
  for (let i = 0; i < v.length; i++) {
    const c = Math.round(v[i]! * scale);
    out[at + i] = c;
    norm2 += c * c;
  }
  const norm = Math.sqrt(norm2);
  let err2 = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v[i]! - out[at + i]! / norm;
    err2 += d * d;
  }
  return Math.sqrt(err2);
}

/** The query's codes in a buffer of their own (usearch reads typed arrays from offset 0) and its δ. */
export function queryCodes(query: Float32Array): { codes: Int8Array; error: number } {
  const codes = new Int8Array(query.length);
  return { codes, error: quantiseInto(query, codes, 0) };
}
