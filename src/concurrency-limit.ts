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

/** Maps with bounded concurrency, keeping input order in the output. */
export async function mapLimited<I, O>(items: readonly I[], max: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const limiter = createLimiter(max);
  return Promise.all(items.map((item, i) => limiter.run(() => fn(item, i))));
}
