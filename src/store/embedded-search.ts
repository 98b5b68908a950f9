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
 * (scanCost against CANDIDATE_COST), or when too few candidates passed. Hits always satisfy the
 * filter exactly; only the ranking is approximate, as in Qdrant.
 *
 * Every path scores the points' int8 codes first (the graph's own, or a
 * scan of the RowFile with usearch's SIMD exact search), keeps the points
 * whose proven error bound (int8-codes.ts) lets them reach the page, and
 * rescores those against their float32 vectors from SQLite, best bound
 * first, until no bound left can beat the page. So scores are the exact
 * cosines, and a scan's answer is exactly the float32 one, while it reads a
 * quarter of the bytes.
 *
 * The filtered scan evaluates the filter once per point, then scores only
 * the matches' codes; MatchCache keeps the matches of recent filters up to
 * date through writes, so later plans count them, scans read them, and
 * graph walks test candidates against them instead of the predicate.
 */
import { exactSearch, MetricKind } from 'usearch';
import { yieldToEventLoop, type OpenCollection } from './embedded-collection.ts';
import type { PointPredicate } from './filter.ts';
import { Matches } from './filter-matches.ts';
import { KERNEL_MARGIN, queryCodes } from './int8-codes.ts';
import { BLOCK_ROWS, type PointMatrix } from './point-matrix.ts';
import { TopK } from './top-k.ts';
import { dotRow } from './vector-math.ts';

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
const MAX_CANDIDATES = 65_536;
/**
 * What the steps of a search cost, in rows of codes scanned in bulk (about
 * 0.33 µs each for 768 dims): a match read on its own (a pread, about 3 µs)
 * and a candidate of the graph walk (about 6.7 µs, with its share of the
 * rescoring). Measured on 100k clustered 768-d points on a 2-core EPYC
 * (bench/store-tune.ts); a shared machine moves them by tens of percent,
 * which shifts the crossover but never the answer's exactness.
 */
const SPARSE_MATCH_COST = 12;
const CANDIDATE_COST = 20;
/**
 * Rows of codes read and scored per step: 3 MiB of 768-d codes. Reads run
 * ahead of scoring on another thread, so larger chunks cost fewer round
 * trips; 4096 rows scanned 200k rows in 32–40 ms where 512 took 50–74.
 */
const CHUNK_ROWS = 4096;
/** A block with at least this share of matches is read whole (cheaper than reading them one by one); sparser ones row by row. */
const DENSE_SHARE = 1 / SPARSE_MATCH_COST;

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
  const cached = q.filterKey === undefined ? undefined : c.matches.get(q.filterKey);
  const selectivity = cached ? cached.count / matrix.size : sampleSelectivity(matrix, q.pass);
  const candidates = candidatesFor(matrix, q, selectivity);
  const matches = selectivity * matrix.size;
  // A threshold of 0 asks for the graph wherever it can answer (Qdrant's meaning), so the cost rule is off then too.
  const cheaper = q.fullScanPoints > 0 && scanCost(matches, matrix.size) <= candidates * CANDIDATE_COST;
  const scan = matches < q.fullScanPoints || cheaper || candidates > MAX_CANDIDATES;
  return scan ? { kind: 'filtered-scan' } : { kind: 'graph', candidates };
}

/** The filtered scan's cost for `matches` evenly spread over `points`: each read alone, or every row in bulk. */
function scanCost(matches: number, points: number): number {
  return Math.min(matches * SPARSE_MATCH_COST, points);
}

/**
 * Graph candidates for a beam of `ef` points passing the filter (Infinity
 * when none is expected to). Unless the query names `hnswEf`, the beam is the
 * one a collection of just the matching points would get: the walk has to
 * find the best of the matches, not of every point. At 1M clustered 768-d
 * points and a 10 % filter (bench/store-tune.ts), beams of 64, 96, 128 and
 * 405 passing points (the whole collection's default) found 0.986, 0.990,
 * 0.990 and 0.990 of the exact filtered top 10, at 7.2, 8.3, 9.8 and 28 ms.
 */
function candidatesFor(matrix: PointMatrix, q: SearchPlanInput, selectivity: number): number {
  const ef = q.hnswEf ?? defaultEf(selectivity * matrix.size);
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
  const probe = queryCodes(q.query);
  const found = new Candidates(matrix, q, probe.error);
  const passes = passingTest(c, q);
  let passed = 0;
  const { keys, cosines } = c.index.search(probe.codes, candidates);
  keys.forEach((key, i) => {
    const slot = matrix.findKey(key);
    if (slot === undefined) return;
    if (passes && !passes(slot)) return;
    passed++;
    found.offer(slot, cosines[i]!);
  });
  const exhausted = keys.length < candidates;
  if (q.pass && passed < q.wanted && !exhausted) return undefined;
  return found.rescore(c);
}

/** Does the point at a slot pass the query's filter: its cached matches when there are, else the predicate. */
function passingTest(c: OpenCollection, q: SearchPlanInput): ((slot: number) => boolean) | undefined {
  const { pass } = q;
  if (!pass) return undefined;
  const cached = q.filterKey === undefined ? undefined : c.matches.get(q.filterKey);
  if (cached) return (slot) => cached.has(slot);
  return (slot) => pass(c.matrix.payloadAt(slot), c.matrix.idAt(slot));
}

export function topFor(matrix: PointMatrix, wanted: number): TopK {
  return new TopK(wanted, (slot) => matrix.idAt(slot));
}

/**
 * The points a search has not ruled out, with their int8 cosines. `floor`
 * is the `wanted`-th best lower bound offered so far: at least `wanted`
 * points score that much, so a point whose upper bound is below it cannot
 * make the page and is dropped.
 */
class Candidates {
  private slots: number[] = [];
  private cosines: number[] = [];
  /** The `wanted` best lower bounds (TopK keeps the largest; ties need no order here). */
  private readonly lows: TopK;
  private pruneAt: number;

  constructor(
    private readonly matrix: PointMatrix,
    private readonly q: SearchPlanInput,
    private readonly queryError: number,
  ) {
    this.lows = new TopK(q.wanted, () => '');
    this.pruneAt = Math.max(1024, 4 * q.wanted);
  }

  /** The most any point's int8 cosine may be off by. */
  get widest(): number {
    return this.matrix.maxError + this.queryError + KERNEL_MARGIN;
  }

  get floor(): number {
    return Math.max(this.lows.floor, this.q.threshold);
  }

  /** What a native scan asks for first: one more than the page, to see what it left out. */
  get wantedPlusOne(): number {
    return this.q.wanted + 1;
  }

  offer(slot: number, cosine: number): void {
    const slack = this.slack(slot);
    // Below the threshold (an f32) in exact arithmetic, a score fails it as f32 too.
    if (cosine + slack < this.floor) return;
    this.lows.offer(slot, cosine - slack);
    this.slots.push(slot);
    this.cosines.push(cosine);
    if (this.slots.length >= this.pruneAt) this.prune();
  }

  /**
   * The page, rescored in float32 from the best upper bound down, stopping
   * once no bound left can reach the page.
   */
  rescore(c: OpenCollection): TopK {
    const { q } = this;
    const top = topFor(this.matrix, q.wanted);
    const order = this.slots.map((slot, i) => ({ slot, high: this.cosines[i]! + this.slack(slot) }));
    order.sort((a, b) => b.high - a.high);
    for (const { slot, high } of order) {
      if (high < top.floor) break;
      const vector = c.vectorAt(slot);
      if (!vector) continue;
      const score = dotRow(vector, 0, q.query, this.matrix.dimensions);
      if (Math.fround(score) > q.threshold) top.offer(slot, score);
    }
    return top;
  }

  /** How far the point's int8 cosine may be from its float32 one (int8-codes.ts). */
  private slack(slot: number): number {
    return this.matrix.errorAt(slot) + this.queryError + KERNEL_MARGIN;
  }

  private prune(): void {
    const floor = this.floor;
    let kept = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (this.cosines[i]! + this.slack(slot) < floor) continue;
      this.slots[kept] = slot;
      this.cosines[kept++] = this.cosines[i]!;
    }
    this.slots.length = kept;
    this.cosines.length = kept;
    if (kept * 2 >= this.pruneAt) this.pruneAt *= 2;
  }
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

/**
 * One step of a scan: `rows` rows of codes from `from`, of which `slots`
 * match the filter (all of them when undefined). A sparse step reads no
 * rows in bulk (`rows` 0): it reads each of its slots on its own.
 */
interface Chunk {
  from: number;
  rows: number;
  slots: Int32Array | undefined;
}

/** A bulk read a scan asks its driver for: `rows` rows of codes from `from` into `into`. */
export interface ChunkRead {
  from: number;
  rows: number;
  into: Int8Array;
}

/**
 * The scan's steps, block by block: whole chunks without a filter; with one,
 * the chunks holding matches where they are dense, each match on its own
 * where they are sparse. Filter matches it evaluates go into `computed`.
 */
function* chunksOf(
  matrix: PointMatrix,
  blockCount: number,
  chunkRows: number,
  q: SearchPlanInput,
  cached: Matches | undefined,
  computed: Int32Array[],
): Generator<Chunk> {
  for (let b = 0; b < blockCount; b++) {
    const from = b * BLOCK_ROWS;
    const rows = matrix.rowsIn(b);
    const slots = q.pass ? (cached?.inBlock(b, rows) ?? passingIn(matrix, b, q.pass)) : undefined;
    if (slots && !cached) computed.push(slots);
    if (slots && slots.length < rows * DENSE_SHARE) {
      if (slots.length > 0) yield { from, rows: 0, slots };
      continue;
    }
    let next = 0;
    for (let at = from; at < from + rows; at += chunkRows) {
      const n = Math.min(chunkRows, from + rows - at);
      if (!slots || slots.length === rows) {
        yield { from: at, rows: n, slots: undefined };
        continue;
      }
      const first = next;
      while (next < slots.length && slots[next]! < at + n) next++;
      if (next > first) yield { from: at, rows: n, slots: slots.subarray(first, next) };
    }
  }
}

/** Offers a chunk's codes (read into `data`, when it was read in bulk) to `found`; matches are gathered `gathered` rows at a time. */
function scoreChunk(matrix: PointMatrix, chunk: Chunk, data: Int8Array, gathered: Int8Array, probe: Int8Array, found: Candidates): void {
  const dims = matrix.dimensions;
  const { from, rows, slots } = chunk;
  if (!slots) return scoreRows(matrix, data.subarray(0, rows * dims), rows, (row) => from + row, probe, found);
  const gatherRows = gathered.length / dims;
  for (let at = 0; at < slots.length; at += gatherRows) {
    const part = slots.subarray(at, at + gatherRows);
    part.forEach((slot, row) => {
      if (rows === 0) matrix.readCodes(slot, gathered, 1, row);
      else gathered.set(data.subarray((slot - from) * dims, (slot - from + 1) * dims), row * dims);
    });
    scoreRows(matrix, gathered.subarray(0, part.length * dims), part.length, (row) => part[row]!, probe, found);
  }
}

/**
 * Offers `rows` rows of codes in `data` to `found`: usearch returns the best
 * few natively, and asks again for more only while the best it left out
 * could still, by its bound, reach the page.
 */
function scoreRows(matrix: PointMatrix, data: Int8Array, rows: number, slotAt: (row: number) => number, probe: Int8Array, found: Candidates): void {
  if (rows === 0) return;
  const offered = new Set<number>();
  for (let count = Math.min(rows, found.wantedPlusOne); ; count = Math.min(rows, count * 4)) {
    const { keys, distances } = exactSearch(data, probe, matrix.dimensions, count, MetricKind.Cos, 1);
    keys.forEach((key, i) => {
      const row = Number(key);
      if (offered.has(row)) return;
      offered.add(row);
      found.offer(slotAt(row), 1 - distances[i]!);
    });
    const leftOut = 1 - (distances.at(-1) ?? 1);
    if (keys.length < count || count === rows || leftOut + found.widest < found.floor) return;
  }
}

/**
 * Scans every block (with a filter, only its matches), one chunk ahead of
 * its reads: each step yields the read of the chunk after the one it is
 * about to score, and is resumed once every read asked for earlier is done,
 * with whether it may go on. So a driver may read the next chunk while this
 * one is scored (scanAll), or read at once (scanAllNow). It ends with
 * undefined when a delete moved rows meanwhile, so the caller can redo it in
 * one go. Each block's matches are as of when the scan reached it, cached or
 * not. Matches it computed are cached when no write came between its first
 * block and its last (the cache only follows the writes of filters it holds).
 */
function* scanSteps(c: OpenCollection, q: SearchPlanInput): Generator<ChunkRead | undefined, TopK | undefined, boolean> {
  const { matrix } = c;
  const { layout, version, blockCount } = matrix;
  const cached = q.pass && q.filterKey !== undefined ? c.matches.get(q.filterKey) : undefined;
  const computed: Int32Array[] = [];
  const probe = queryCodes(q.query);
  const found = new Candidates(matrix, q, probe.error);
  // Two chunk buffers (one being read, one scored) and, with a filter, one to gather matches into; each starts at
  // offset 0 of its own, as usearch's binding requires. A small collection gets small ones.
  const chunkRows = Math.min(CHUNK_ROWS, Math.max(1, matrix.size));
  const buffers = [new Int8Array(chunkRows * matrix.dimensions), new Int8Array(chunkRows * matrix.dimensions)];
  const gathered = new Int8Array(q.pass ? chunkRows * matrix.dimensions : 0);
  const changed = () => matrix.layout !== layout;
  let ahead: { chunk: Chunk; data: Int8Array } | undefined;
  let turn = 0;
  for (const chunk of chunksOf(matrix, blockCount, chunkRows, q, cached, computed)) {
    const data = buffers[turn++ % 2]!;
    const mayGoOn = yield chunk.rows > 0 ? { from: chunk.from, rows: chunk.rows, into: data } : undefined;
    if (!mayGoOn || changed()) return undefined;
    if (ahead) scoreChunk(matrix, ahead.chunk, ahead.data, gathered, probe.codes, found);
    ahead = { chunk, data };
  }
  const mayGoOn = yield undefined;
  if (!mayGoOn || changed()) return undefined;
  if (ahead) scoreChunk(matrix, ahead.chunk, ahead.data, gathered, probe.codes, found);
  if (q.pass && !cached && q.filterKey !== undefined && matrix.version === version) {
    c.matches.set(q.filterKey, new Matches(q.pass, computed, matrix.size));
  }
  return found.rescore(c);
}

/**
 * The scan, reading each chunk while the one before is scored (the reads
 * run on libuv's thread pool, and the event loop turns while they do);
 * undefined when `stillCurrent` or the collection said stop.
 */
export async function scanAll(c: OpenCollection, q: SearchPlanInput, stillCurrent: () => boolean): Promise<TopK | undefined> {
  const steps = scanSteps(c, q);
  let reading: Promise<void> = Promise.resolve();
  let step = steps.next(true);
  try {
    while (!step.done) {
      // A read fails when the store closed under it; the scan then stops on stillCurrent.
      await reading.catch((err: unknown) => {
        if (stillCurrent()) throw err;
      });
      const read = step.value;
      reading = read ? c.matrix.readCodesLater(read.from, read.into, read.rows) : Promise.resolve();
      step = steps.next(stillCurrent());
    }
  } finally {
    // A scan that stopped early leaves no read running into its buffers unobserved.
    await reading.catch(() => undefined);
  }
  return step.value;
}

/** The same scan reading at once, without yielding. */
export function scanAllNow(c: OpenCollection, q: SearchPlanInput): TopK {
  const steps = scanSteps(c, q);
  let step = steps.next(true);
  while (!step.done) {
    if (step.value) c.matrix.readCodes(step.value.from, step.value.into, step.value.rows);
    step = steps.next(true);
  }
  // Nothing ran between the chunks, so the collection cannot have changed under the scan.
  return step.value!;
}
