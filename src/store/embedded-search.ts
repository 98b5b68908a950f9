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
 *   sample (or, when this filter's matches are cached, count them). The
 *   threshold is Qdrant's `full_scan_threshold_kb` (10 000 KB by default)
 *   divided by the size of one vector: 3 333 points of 768 floats.
 *
 * Qdrant checks the filter inside the graph walk; usearch's JS binding takes
 * no filter callback, so the walk widens its beam by the inverse of the
 * selectivity (a beam of `ef` passing points, as Qdrant's filtered walk
 * keeps), and the filtered scan answers instead when that beam would be wider
 * than MAX_CANDIDATES, when scoring the matches costs less than walking it
 * (MATCHES_PER_CANDIDATE), or when too few candidates passed. Hits always satisfy the
 * filter exactly; only the ranking is approximate, as in Qdrant. Every
 * candidate is rescored against the float32 rows, so scores are the exact
 * cosines.
 *
 * The filtered scan evaluates the filter once per point and collection
 * version (MatchCache keeps the matching slots until the next write), then
 * scores only the matches, natively: they are copied into a scratch block
 * and scanned with usearch's SIMD exact search, as unfiltered blocks are.
 */
import { exactSearch, MetricKind } from 'usearch';
import { yieldToEventLoop, type OpenCollection } from './embedded-collection.ts';
import type { PointPredicate } from './filter.ts';
import { BLOCK_ROWS, type PointMatrix } from './point-matrix.ts';
import { TopK } from './top-k.ts';

/** Qdrant's default `full_scan_threshold_kb`. */
export const DEFAULT_FULL_SCAN_THRESHOLD_KB = 10_000;
/** Points sampled to estimate a filter's selectivity. */
const SELECTIVITY_SAMPLE = 1024;
/**
 * The default beam (when the query names no `hnswEf`) for a collection of
 * `points`: EF_FLOOR up to EF_GROWS_FROM points, then growing with the square
 * root of the size, up to EF_CEILING (405 at 1M points). A graph's recall at
 * a fixed beam falls as it grows: on 768-d clustered vectors with the int8
 * graph, a beam of 128 found 1.000 of the exact top 10 at 100k points but 0.904
 * at 1M, and 64 found 0.793 there (BENCHMARKS.md, "The embedded store at
 * scale"): each doubling about halved what was missed, which puts 0.95 near a
 * beam of 256 and leaves a margin at 405. bench/store-tune.ts measures the
 * curve for one size (at 123k: 32 → 0.977, 64 → 0.993, 128 → 1.000).
 */
const EF_FLOOR = 128;
const EF_GROWS_FROM = 100_000;
const EF_CEILING = 1024;
/**
 * Candidates asked of the graph per wanted hit unless the query says
 * (`oversampling`): the int8 graph misorders near neighbours, and rescoring
 * twice the page in float32 puts them back.
 */
const DEFAULT_CANDIDATES_PER_HIT = 2;
/** The most candidates one filtered graph walk may ask for before the filtered scan answers instead. */
const MAX_CANDIDATES = 8192;
/**
 * A filter's matches the filtered scan scores in the time the graph walk
 * spends on one candidate: measured in one run at 30k and 123k clustered 768-d
 * points (bench/store-tune.ts, contended), a walk cost 0.025–0.05 ms per
 * candidate and the native scan of cached matches 0.004–0.008 ms per match.
 * Below this the exact scan is also the faster answer.
 */
const MATCHES_PER_CANDIDATE = 8;
/** Matching rows copied per native scan of a filter's matches: 12 MiB of 768-d rows. */
const GATHER_ROWS = 4096;
/**
 * usearch's cosine and our dot product of the same float32 rows differ in
 * the last bits; a native ranking is trusted only where this margin separates
 * the kept hits from the rest.
 */
const NATIVE_MARGIN = 1e-5;

export interface SearchPlanInput {
  query: Float32Array;
  pass: PointPredicate | undefined;
  /** The validated filter as JSON: what the filter's cached matches are keyed by. */
  filterKey: string | undefined;
  /** limit + offset */
  wanted: number;
  /** Hits must score strictly above it, as f32 (Qdrant's rule). */
  threshold: number;
  exact: boolean | undefined;
  hnswEf: number | undefined;
  candidatesPerHit: number | undefined;
  fullScanPoints: number;
}

export type Plan = { kind: 'exact' } | { kind: 'filtered-scan' } | { kind: 'graph'; candidates: number };

export function fullScanPoints(thresholdKb: number, dimensions: number): number {
  return Math.floor((thresholdKb * 1024) / (dimensions * Float32Array.BYTES_PER_ELEMENT));
}

/** The beam a graph search of a collection of `points` uses when the query names none. */
export function defaultEf(points: number): number {
  return Math.min(EF_CEILING, Math.max(EF_FLOOR, Math.ceil(EF_FLOOR * Math.sqrt(points / EF_GROWS_FROM))));
}

/** How to answer one query (see the top of this file). */
export function planSearch(c: OpenCollection, q: SearchPlanInput): Plan {
  const { matrix } = c;
  const small = matrix.size < q.fullScanPoints;
  if (!q.pass) return q.exact || small ? { kind: 'exact' } : { kind: 'graph', candidates: candidatesFor(matrix, q, 1) };
  if (q.exact || small) return { kind: 'filtered-scan' };
  const cached = q.filterKey === undefined ? undefined : c.matches.get(q.filterKey, matrix);
  const selectivity = cached ? cached.count / matrix.size : sampleSelectivity(matrix, q.pass);
  const candidates = candidatesFor(matrix, q, selectivity);
  const matches = selectivity * matrix.size;
  // A threshold of 0 asks for the graph wherever it can answer (Qdrant's meaning), so the cost rule is off then too.
  const cheaper = q.fullScanPoints > 0 && matches <= candidates * MATCHES_PER_CANDIDATE;
  const scan = matches < q.fullScanPoints || cheaper || candidates > MAX_CANDIDATES;
  return scan ? { kind: 'filtered-scan' } : { kind: 'graph', candidates };
}

/** Graph candidates for a beam of `ef` points passing the filter (Infinity when none is expected to). */
function candidatesFor(matrix: PointMatrix, q: SearchPlanInput, selectivity: number): number {
  const ef = q.hnswEf ?? defaultEf(matrix.size);
  const beam = Math.max(ef, Math.ceil(q.wanted * (q.candidatesPerHit ?? DEFAULT_CANDIDATES_PER_HIT)));
  return selectivity === 0 ? Infinity : Math.min(matrix.size, Math.ceil(beam / selectivity));
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
 * Graph walk asking for `candidates` keys: the hits it found, or undefined
 * when a filter let too few candidates through and the caller must scan instead.
 */
export function graphSearch(c: OpenCollection, q: SearchPlanInput, candidates: number): TopK | undefined {
  const { matrix } = c;
  const top = topFor(matrix, q.wanted);
  let passed = 0;
  const keys = c.index.search(q.query, candidates);
  for (const key of keys) {
    const slot = matrix.findKey(key);
    if (slot === undefined) continue;
    if (q.pass && !q.pass(matrix.payloadAt(slot), matrix.idAt(slot))) continue;
    passed++;
    const score = matrix.dot(slot, q.query);
    if (Math.fround(score) > q.threshold) top.offer(slot, score);
  }
  const exhausted = keys.length < candidates;
  if (q.pass && passed < q.wanted && !exhausted) return undefined;
  return top;
}

export function topFor(matrix: PointMatrix, wanted: number): TopK {
  return new TopK(wanted, (slot) => matrix.idAt(slot));
}

/** Slots of block `b` that pass. */
function passingIn(matrix: PointMatrix, b: number, pass: PointPredicate): Int32Array {
  const from = b * BLOCK_ROWS;
  const end = from + matrix.rowsIn(b);
  const slots = new Int32Array(end - from);
  let n = 0;
  for (let slot = from; slot < end; slot++) if (pass(matrix.payloadAt(slot), matrix.idAt(slot))) slots[n++] = slot;
  return slots.slice(0, n);
}

/** Scores the points of block `b` (those in `slots`, with a filter) into `top`. */
function scanBlock(matrix: PointMatrix, b: number, q: SearchPlanInput, top: TopK, slots: Int32Array | undefined): void {
  const rows = matrix.rowsIn(b);
  const from = b * BLOCK_ROWS;
  if (!slots || slots.length === rows) {
    const data = matrix.block(b).subarray(0, rows * matrix.dimensions);
    if (!nativeRows(matrix, data, rows, (row) => from + row, q, top)) jsRows(matrix, slotRange(from, rows), q, top);
    return;
  }
  for (let at = 0; at < slots.length; at += GATHER_ROWS) {
    const chunk = slots.subarray(at, at + GATHER_ROWS);
    const data = gather(matrix, chunk);
    if (!nativeRows(matrix, data, chunk.length, (row) => chunk[row]!, q, top)) jsRows(matrix, chunk, q, top);
  }
}

function slotRange(from: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => from + i);
}

/** Shared by every scan (they never interleave within a block): the gathered rows, from offset 0 of its buffer. */
let scratch = new Float32Array(0);

/** The rows of `slots`, copied into the scratch block. */
function gather(matrix: PointMatrix, slots: Int32Array): Float32Array {
  const dims = matrix.dimensions;
  if (scratch.length < slots.length * dims) scratch = new Float32Array(GATHER_ROWS * dims);
  slots.forEach((slot, row) => matrix.copyRow(slot, scratch, row * dims));
  return scratch.subarray(0, slots.length * dims);
}

function jsRows(matrix: PointMatrix, slots: Int32Array, q: SearchPlanInput, top: TopK): void {
  for (const slot of slots) {
    const score = matrix.dot(slot, q.query);
    if (!(Math.fround(score) > q.threshold) || score < top.floor) continue;
    top.offer(slot, score);
  }
}

/**
 * Scores `rows` rows of `data` (which starts at offset 0 of its buffer, as
 * usearch's binding requires) natively, asking usearch for one more row than
 * wanted. Its answer is used only when the wanted hits beat everything it
 * left out by NATIVE_MARGIN (so ties and rounding cannot reorder the cut), or
 * when it returned every row; otherwise the caller scores them in JS.
 */
function nativeRows(
  matrix: PointMatrix,
  data: Float32Array,
  rows: number,
  slotAt: (row: number) => number,
  q: SearchPlanInput,
  top: TopK,
): boolean {
  if (rows === 0) return true;
  const count = Math.min(rows, q.wanted + 1);
  const found = exactSearch(data, q.query, matrix.dimensions, count, MetricKind.Cos, 1);
  const worstReturned = 1 - (found.distances.at(-1) ?? 1);
  const scores: Array<[slot: number, score: number]> = [];
  for (const key of found.keys) {
    const slot = slotAt(Number(key));
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
 * Scans every block (with a filter, only its matches): a generator that
 * stops between blocks, where its driver yields to the event loop and tells
 * it whether the scan may go on. It ends with undefined when the collection
 * changed meanwhile (a delete moved rows, or a write made the cached matches
 * stale), so the caller can redo it in one go. Matches it computed are
 * cached when no write came between its first block and its last.
 */
function* scanSteps(c: OpenCollection, q: SearchPlanInput): Generator<void, TopK | undefined, boolean> {
  const { matrix } = c;
  const { layout, version, blockCount } = matrix;
  const cached = q.pass && q.filterKey !== undefined ? c.matches.get(q.filterKey, matrix) : undefined;
  const computed: Int32Array[] = [];
  const top = topFor(matrix, q.wanted);
  for (let b = 0; b < blockCount; b++) {
    if (b > 0) {
      const mayGoOn = yield;
      if (!mayGoOn || matrix.layout !== layout || (cached && matrix.version !== version) || b >= matrix.blockCount) return undefined;
    }
    const slots = q.pass ? (cached?.perBlock[b] ?? passingIn(matrix, b, q.pass)) : undefined;
    if (slots && !cached) computed.push(slots);
    scanBlock(matrix, b, q, top, slots);
  }
  if (q.pass && !cached && q.filterKey !== undefined && matrix.version === version) {
    c.matches.set(q.filterKey, { version, perBlock: computed, count: computed.reduce((n, s) => n + s.length, 0) });
  }
  return top;
}

/** The scan, yielding to the event loop between blocks; undefined when `stillCurrent` or the collection said stop. */
export async function scanAll(c: OpenCollection, q: SearchPlanInput, stillCurrent: () => boolean): Promise<TopK | undefined> {
  const steps = scanSteps(c, q);
  let step = steps.next(true);
  while (!step.done) {
    await yieldToEventLoop();
    step = steps.next(stillCurrent());
  }
  return step.value;
}

/** The same scan without yielding. */
export function scanAllNow(c: OpenCollection, q: SearchPlanInput): TopK {
  const steps = scanSteps(c, q);
  let step = steps.next(true);
  while (!step.done) step = steps.next(true);
  // Nothing ran between the blocks, so the collection cannot have changed under the scan.
  return step.value!;
}
