/**
 * How the embedded store answers one search: an exact scan, a filtered scan
 * of the matching points, or a walk of the HNSW graph, chosen per query the
 * way Qdrant's segment planner does (lib/segment/src/index/hnsw_index/hnsw.rs,
 * `HNSWIndex::search`):
 * - `exact`, or fewer vectors than the full-scan threshold: plain search.
 * - with a filter: estimate how many points match. Qdrant takes the estimate
 *   from its payload indexes (min/exp/max), scans the matching points when
 *   even the maximum is under `full_scan_threshold`, walks the graph when the
 *   minimum is over it, and otherwise samples points against the filter
 *   (`sample_check_cardinality`). We keep no payload indexes, so we always
 *   sample. The threshold is Qdrant's `full_scan_threshold_kb` (10 000 KB by
 *   default) divided by the size of one vector: 3 333 points of 768 floats.
 *
 * Qdrant checks the filter inside the graph walk; usearch's JS binding takes
 * no filter callback, so the walk asks for enough candidates that, at the
 * sampled selectivity, about twice the wanted hits pass, and falls back to
 * the filtered scan when too few did. Hits always satisfy the filter exactly;
 * only the ranking is approximate, as in Qdrant. Every candidate is rescored
 * against the float32 rows, so scores are the exact cosines.
 */
import { exactSearch, MetricKind } from 'usearch';
import { DEFAULT_EF } from './ann-index.ts';
import { yieldToEventLoop, type OpenCollection } from './embedded-collection.ts';
import type { PointPredicate } from './filter.ts';
import { BLOCK_ROWS, type PointMatrix } from './point-matrix.ts';
import { TopK } from './top-k.ts';

/** Qdrant's default `full_scan_threshold_kb`. */
export const DEFAULT_FULL_SCAN_THRESHOLD_KB = 10_000;
/** Points sampled to estimate a filter's selectivity. */
const SELECTIVITY_SAMPLE = 1024;
/**
 * Candidates asked of the graph per wanted hit (per passing hit, with a
 * filter) unless the query says (`oversampling`): the int8 graph misorders
 * near neighbours, and rescoring twice the page in float32 puts them back.
 */
const DEFAULT_CANDIDATES_PER_HIT = 2;
/** The most candidates one graph walk may return before the filtered scan is cheaper anyway. */
const MAX_CANDIDATES = 8192;
/**
 * usearch's cosine and our dot product of the same float32 rows differ in
 * the last bits; a native ranking is trusted only where this margin separates
 * the kept hits from the rest.
 */
const NATIVE_MARGIN = 1e-5;

export interface SearchPlanInput {
  query: Float32Array;
  pass: PointPredicate | undefined;
  /** limit + offset */
  wanted: number;
  /** Hits must score strictly above it, as f32 (Qdrant's rule). */
  threshold: number;
  exact: boolean | undefined;
  hnswEf: number | undefined;
  candidatesPerHit: number | undefined;
  fullScanPoints: number;
}

export type Plan = 'exact' | 'filtered-scan' | 'graph';

export function fullScanPoints(thresholdKb: number, dimensions: number): number {
  return Math.floor((thresholdKb * 1024) / (dimensions * Float32Array.BYTES_PER_ELEMENT));
}

/** The plan for one query and, for a filtered graph walk, the estimated share of points that pass. */
export function planSearch(matrix: PointMatrix, q: SearchPlanInput): { plan: Plan; selectivity: number } {
  const small = matrix.size < q.fullScanPoints;
  if (!q.pass) return { plan: q.exact || small ? 'exact' : 'graph', selectivity: 1 };
  if (q.exact || small) return { plan: 'filtered-scan', selectivity: 1 };
  const selectivity = sampleSelectivity(matrix, q.pass);
  return { plan: selectivity * matrix.size < q.fullScanPoints ? 'filtered-scan' : 'graph', selectivity };
}

/** The share of an evenly strided sample of points that pass. */
function sampleSelectivity(matrix: PointMatrix, pass: PointPredicate): number {
  const step = Math.max(1, Math.floor(matrix.size / SELECTIVITY_SAMPLE));
  let seen = 0;
  let passed = 0;
  for (let slot = 0; slot < matrix.size; slot += step, seen++) {
    if (pass(matrix.payloadAt(slot), matrix.idAt(slot))) passed++;
  }
  return seen === 0 ? 0 : passed / seen;
}

/**
 * Graph walk: the hits it found, or undefined when a filter let too few
 * candidates through and the caller must scan instead.
 */
export function graphSearch(c: OpenCollection, q: SearchPlanInput, selectivity: number): TopK | undefined {
  const { matrix } = c;
  const ef = q.hnswEf ?? DEFAULT_EF;
  const perHit = q.candidatesPerHit ?? DEFAULT_CANDIDATES_PER_HIT;
  const perPass = q.pass ? perHit / Math.max(selectivity, 1 / Math.max(1, matrix.size)) : perHit;
  const count = Math.min(matrix.size, Math.max(ef, Math.ceil(q.wanted * perPass)), q.pass ? MAX_CANDIDATES : Infinity);
  const top = topFor(matrix, q.wanted);
  let passed = 0;
  const keys = c.index.search(q.query, count);
  for (const key of keys) {
    const slot = matrix.findKey(key);
    if (slot === undefined) continue;
    if (q.pass && !q.pass(matrix.payloadAt(slot), matrix.idAt(slot))) continue;
    passed++;
    const score = matrix.dot(slot, q.query);
    if (Math.fround(score) > q.threshold) top.offer(slot, score);
  }
  const exhausted = keys.length < count;
  if (q.pass && passed < q.wanted && !exhausted) return undefined;
  return top;
}

export function topFor(matrix: PointMatrix, wanted: number): TopK {
  return new TopK(wanted, (slot) => matrix.idAt(slot));
}

/**
 * Scores block `b` into `top`: natively (usearch's SIMD exact search over the
 * block's whole buffer) when the query is not zero and there is no filter,
 * else, or when the native ranking cannot be trusted at its cut, in JS.
 */
export function scanBlock(matrix: PointMatrix, b: number, q: SearchPlanInput, top: TopK): void {
  if (q.pass || !nativeBlock(matrix, b, q, top)) jsBlock(matrix, b, q, top);
}

function jsBlock(matrix: PointMatrix, b: number, q: SearchPlanInput, top: TopK): void {
  const end = b * BLOCK_ROWS + matrix.rowsIn(b);
  for (let slot = b * BLOCK_ROWS; slot < end; slot++) {
    if (q.pass && !q.pass(matrix.payloadAt(slot), matrix.idAt(slot))) continue;
    const score = matrix.dot(slot, q.query);
    if (!(Math.fround(score) > q.threshold) || score < top.floor) continue;
    top.offer(slot, score);
  }
}

/**
 * Asks usearch for one more row than wanted. Its answer is used only when
 * the wanted hits beat everything it left out by NATIVE_MARGIN (so ties
 * and rounding cannot reorder the cut), or when it returned every real row
 * (padding rows past `rowsIn(b)` are zero and score 0).
 */
function nativeBlock(matrix: PointMatrix, b: number, q: SearchPlanInput, top: TopK): boolean {
  const rows = matrix.rowsIn(b);
  const data = matrix.block(b);
  const allocated = data.length / matrix.dimensions;
  const count = Math.min(allocated, q.wanted + 1);
  const found = exactSearch(data, q.query, matrix.dimensions, count, MetricKind.Cos, 1);
  const worstReturned = 1 - (found.distances.at(-1) ?? 1);
  const scores: Array<[slot: number, score: number]> = [];
  for (const key of found.keys) {
    const row = Number(key);
    if (row >= rows) continue;
    const slot = b * BLOCK_ROWS + row;
    scores.push([slot, matrix.dot(slot, q.query)]);
  }
  const sawAll = scores.length === rows;
  scores.sort((x, y) => y[1] - x[1]);
  const cut = scores[Math.min(q.wanted, scores.length) - 1]?.[1];
  const trusted = sawAll || (scores.length >= q.wanted && cut !== undefined && cut > worstReturned + NATIVE_MARGIN);
  if (!trusted) return false;
  for (const [slot, score] of scores) if (Math.fround(score) > q.threshold) top.offer(slot, score);
  return true;
}

/**
 * Scans every block, yielding between them. Returns undefined when the
 * collection changed shape meanwhile (a delete moved rows), so the caller
 * can redo it in one go.
 */
export async function scanAll(c: OpenCollection, q: SearchPlanInput, stillCurrent: () => boolean): Promise<TopK | undefined> {
  const { matrix } = c;
  const layout = matrix.layout;
  const blocks = matrix.blockCount;
  const top = topFor(matrix, q.wanted);
  for (let b = 0; b < blocks; b++) {
    if (b > 0) await yieldToEventLoop();
    if (!stillCurrent() || matrix.layout !== layout || b >= matrix.blockCount) return undefined;
    scanBlock(matrix, b, q, top);
  }
  return top;
}

/** The same scan without yielding. */
export function scanAllNow(c: OpenCollection, q: SearchPlanInput): TopK {
  const top = topFor(c.matrix, q.wanted);
  for (let b = 0; b < c.matrix.blockCount; b++) scanBlock(c.matrix, b, q, top);
  return top;
}
