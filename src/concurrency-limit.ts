/** Runs at most `max` async tasks at once; the rest wait in arrival order. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return {
    async run(task) {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
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
