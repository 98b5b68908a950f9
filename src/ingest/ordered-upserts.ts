/**
 * Within one ingest batch, two objects can name the same source and so the
 * same documents. They run concurrently, but the batch must behave as if they
 * ran in order: the later object's document wins. Writes to a document are
 * chained, and an earlier object whose documents a later one already claimed
 * skips them.
 */
import type { PointInput } from '../store/vector-store.ts';

export type Upsert = (points: PointInput[]) => Promise<void>;

export function createOrderedUpserts(upsert: Upsert): (index: number, points: PointInput[]) => Promise<void> {
  const claims = new Map<string, { index: number; written: Promise<void> }>();
  return async (index, points) => {
    const fresh = points.filter((p) => (claims.get(p.id)?.index ?? -1) < index);
    if (fresh.length === 0) return;
    const earlier = new Set(fresh.map((p) => claims.get(p.id)?.written).filter((w) => w !== undefined));
    const write = Promise.allSettled([...earlier]).then(() => upsert(fresh));
    const written = write.then(
      () => undefined,
      () => undefined,
    );
    for (const p of fresh) claims.set(p.id, { index, written });
    await write;
  };
}
