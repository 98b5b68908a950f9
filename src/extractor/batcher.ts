/**
 * Coalesces concurrent requests into batches for one consumer (the inference
 * worker). While a batch runs, new items queue up and form the next batch, so
 * preprocessing of batch k+1 overlaps inference of batch k. An item that finds
 * the consumer idle goes at once: company rarely comes, and waiting for it is
 * pure latency. `maxWaitMs` > 0 makes an idle consumer wait that long instead,
 * which pays only where a batch costs little more than one item (GPUs).
 *
 * Batches are filled fairly: each request has its own queue and a batch takes
 * one item from each request in turn (round-robin), so a request with 500
 * aliased searches waits behind its own items, while an ordinary search sent
 * beside it rides in the next batch. A request is known by its AbortSignal:
 * the API makes one per HTTP request, and every field of that request passes
 * it down; work without a signal (jobs, the CLI) shares one queue.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { createRoundRobinQueue } from '../scheduling/round-robin-queue.ts';

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

type Owner = AbortSignal | 'unsignalled';

export function createBatcher<I, O>(opts: {
  maxBatch: number;
  maxWaitMs: number;
  runBatch: (items: I[]) => Promise<O[]>;
}): Batcher<I, O> {
  const queue = createRoundRobinQueue<Owner, Entry<I, O>>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const settle = (entry: Entry<I, O>) => {
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
  };

  /** One item from each waiting request in turn until the batch is full. */
  const takeBatch = (): Entry<I, O>[] => {
    const batch: Entry<I, O>[] = [];
    while (batch.length < opts.maxBatch && queue.size > 0) batch.push(queue.shift() as Entry<I, O>);
    return batch;
  };

  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (running || queue.size === 0) return;
    running = true;
    const batch = takeBatch();
    batch.forEach(settle);
    try {
      const results = await opts.runBatch(batch.map((e) => e.item));
      batch.forEach((e, i) => e.resolve(results[i] as O));
    } catch (err) {
      batch.forEach((e) => e.reject(err));
    } finally {
      running = false;
      // Whatever arrived meanwhile has already waited a whole batch: go now.
      if (queue.size > 0) void flush();
    }
  };

  const schedule = () => {
    if (running) return;
    if (queue.size >= opts.maxBatch || opts.maxWaitMs === 0) void flush();
    else timer ??= setTimeout(() => void flush(), opts.maxWaitMs);
  };

  return {
    get pending() {
      return queue.size;
    },
    submit(item, signal) {
      return new Promise<O>((resolve, reject) => {
        if (signal?.aborted) return reject(cancelled());
        const owner: Owner = signal ?? 'unsignalled';
        const entry: Entry<I, O> = { item, resolve, reject, signal, onAbort: undefined };
        if (signal) {
          entry.onAbort = () => {
            queue.remove(owner, entry);
            reject(cancelled());
          };
          signal.addEventListener('abort', entry.onAbort, { once: true });
        }
        queue.push(owner, entry);
        schedule();
      });
    },
  };
}
