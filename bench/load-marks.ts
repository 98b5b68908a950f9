/**
 * Contention marks for the benchmark. This machine is shared: a figure
 * measured while another process held a core is not the machine's speed.
 * Around each block we record the 1-minute load average, and, more exactly,
 * how many cores processes other than ours kept busy (from /proc/stat, minus
 * the CPU time our own process and its children report).
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface LoadMark {
  loadBefore: number;
  loadAfter: number;
  /** Mean cores used by other processes during the block; NaN where /proc/stat is unreadable. */
  otherCores: number;
  /** Other processes kept more than a quarter of a core busy on average. */
  contended: boolean;
}

/** Above this many cores used by others, a figure is marked as measured under contention. */
const CONTENDED_CORES = 0.25;
const TICKS_PER_SECOND = 100;

/** Busy CPU time of the whole machine, in ms (/proc/stat counts in USER_HZ ticks, 100 per second on Linux). */
function machineBusyMs(): number {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = fields as number[];
    return ((user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Runs `block` and marks it. `childCpuMs` is what the block's child processes
 * used (they are not in process.cpuUsage()).
 */
export async function withLoadMark<T>(block: () => Promise<T>, childCpuMs: (value: T) => number = () => 0): Promise<{ value: T; load: LoadMark }> {
  const loadBefore = os.loadavg()[0] as number;
  const [busy0, own0, t0] = [machineBusyMs(), ownCpuMs(), performance.now()];
  const value = await block();
  const [busy1, own1, t1] = [machineBusyMs(), ownCpuMs(), performance.now()];
  const others = busy1 - busy0 - (own1 - own0) - childCpuMs(value);
  const otherCores = Math.max(0, others) / (t1 - t0);
  return {
    value,
    load: { loadBefore, loadAfter: os.loadavg()[0] as number, otherCores, contended: !(otherCores <= CONTENDED_CORES) },
  };
}

/** How a mark reads beside a figure. */
export function describeLoad(l: LoadMark): string {
  const others = Number.isFinite(l.otherCores) ? `others used ${l.otherCores.toFixed(2)} cores` : 'others unknown';
  return `${l.contended ? '**contended**: ' : ''}${others}, load ${l.loadBefore.toFixed(1)}→${l.loadAfter.toFixed(1)}`;
}
