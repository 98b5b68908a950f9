/** Small measuring tools for the benchmark: percentiles and event-loop lag. */
import { performance } from 'node:perf_hooks';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export function summarise(values: readonly number[]): Latency {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) };
}

/**
 * Samples how late a 10 ms timer fires: the time the event loop was blocked.
 * (monitorEventLoopDelay reports the same idea, but its resolution floor hides
 * the small lags we want to see.)
 */
export function startLagMonitor(intervalMs = 10): { stop(): Latency } {
  const lags: number[] = [];
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + intervalMs;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return summarise(lags.length > 0 ? lags : [0]);
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/**
 * The fastest of several runs. Throughput comparisons alternate their sides
 * and keep each side's best, so a burst of background load on a shared
 * machine does not decide a comparison.
 */
export function fastest<T extends { imagesPerSecond: number }>(runs: readonly T[]): T {
  return runs.reduce((best, run) => (run.imagesPerSecond > best.imagesPerSecond ? run : best));
}
