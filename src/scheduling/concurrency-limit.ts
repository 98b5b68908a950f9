import { createRoundRobinQueue } from './round-robin-queue.ts';

/**
 * Runs at most `max` async tasks at once. Waiting tasks take turns by owner
 * (a request): one owner's hundred tasks do not queue in front of another's
 * one. Tasks without an owner share one turn, so they wait in arrival order.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>, owner?: unknown): Promise<T>;
}

const SHARED_TURN = Symbol('shared turn');

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiting = createRoundRobinQueue<unknown, () => void>();
  // A freed slot passes straight to the next waiter, so no newcomer can take it in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run(task, owner = SHARED_TURN) {
      if (active < max) active++;
      else await new Promise<void>((resolve) => waiting.push(owner, resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

/**
 * Maps with bounded concurrency, keeping input order in the output. Items are
 * pulled from the iterable only when a slot frees, so a lazy source (a PDF's
 * pages) is never materialised all at once.
 */
export async function mapLimited<I, O>(items: Iterable<I>, max: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const iterator = items[Symbol.iterator]();
  const out: O[] = [];
  let next = 0;
  let failed = false;
  const lane = async () => {
    // After a failure no lane pulls again: the result is already a rejection.
    for (let step = iterator.next(); !step.done; step = failed ? { done: true, value: undefined } : iterator.next()) {
      const index = next++;
      try {
        out[index] = await fn(step.value, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, max) }, lane));
    return out;
  } finally {
    // Lets a generator run its cleanup (a PDF closes its document).
    iterator.return?.();
  }
}
