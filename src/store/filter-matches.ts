/**
 * The matching points of the filters a collection was searched with most
 * recently, kept until the collection next changes (see MatchCache).
 */
import type { PointMatrix } from './point-matrix.ts';

/** One filter's matching slots, per block, as of one version of the collection. */
export interface Matches {
  version: number;
  perBlock: Int32Array[];
  count: number;
}

/** How many filters' matches a collection keeps: each is at most 4 bytes per point. */
const CACHED_FILTERS = 8;

/**
 * The matches of the filters searched most recently, each valid until the
 * collection next changes. Qdrant answers a filter from payload indexes; a
 * search page repeats the same filter query after query, so keeping its
 * matches costs one pass of the predicate per write instead of one per query,
 * with filter.ts's semantics untouched.
 */
export class MatchCache {
  private readonly entries = new Map<string, Matches>();

  get(key: string, matrix: PointMatrix): Matches | undefined {
    const found = this.entries.get(key);
    if (!found || found.version !== matrix.version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  set(key: string, matches: Matches): void {
    this.entries.delete(key);
    this.entries.set(key, matches);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= CACHED_FILTERS) break;
      this.entries.delete(oldest);
    }
  }
}
