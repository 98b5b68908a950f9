/**
 * Coalesces concurrent requests into batches for one consumer (the inference
 * worker). While a batch runs, new items queue up and form the next batch, so
 * preprocessing of batch k+1 overlaps inference of batch k. When idle, a lone
 * item waits at most `maxWaitMs` for company.
 */
import { ErrorCode, SightlineError } from '../errors.ts';

const cancelled = () => new SightlineError(ErrorCode.CANCELLED, 'cancelled before inference started');

export interface Batcher<I, O> {
  submit(item: I, signal?: AbortSignal): Promise<O>;
  /** Items waiting for a batch, not counting the one running. */
  readonly pending: number;
}

interface Entry<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export function createBatcher<I, O>(opts: {
  maxBatch: number;
  maxWaitMs: number;
  runBatch: (items: I[]) => Promise<O[]>;
}): Batcher<I, O> {
  const queue: Entry<I, O>[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const settle = (entry: Entry<I, O>) => {
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
  };

  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue.splice(0, opts.maxBatch);
    batch.forEach(settle);
    try {
      const results = await opts.runBatch(batch.map((e) => e.item));
      batch.forEach((e, i) => e.resolve(results[i] as O));
    } catch (err) {
      batch.forEach((e) => e.reject(err));
    } finally {
      running = false;
      // Whatever arrived meanwhile has already waited a whole batch: go now.
      if (queue.length > 0) void flush();
    }
  };

  const schedule = () => {
    if (running) return;
    if (queue.length >= opts.maxBatch || opts.maxWaitMs === 0) void flush();
    else timer ??= setTimeout(() => void flush(), opts.maxWaitMs);
  };

  return {
    get pending() {
      return queue.length;
    },
    submit(item, signal) {
      return new Promise<O>((resolve, reject) => {
        if (signal?.aborted) return reject(cancelled());
        const entry: Entry<I, O> = { item, resolve, reject, signal, onAbort: undefined };
        if (signal) {
          entry.onAbort = () => {
            const at = queue.indexOf(entry);
            if (at >= 0) queue.splice(at, 1);
            reject(cancelled());
          };
          signal.addEventListener('abort', entry.onAbort, { once: true });
        }
        queue.push(entry);
        schedule();
      });
    },
  };
}
