/**
 * Contention marks for the benchmark. This machine is shared: a figure
 * measured while another process held a core is not the machine's speed.
 * Around each block we measure how many cores processes other than the bench
 * kept busy: the machine's busy time (/proc/stat) minus the CPU time of the
 * bench process, all its threads, and its children that have exited
 * (/proc/self/stat: utime, stime, cutime, cstime). The 1-minute load average
 * is recorded beside it but decides nothing: it counts the bench's own
 * threads, so a block that keeps both cores busy would read as contended on a
 * quiet machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface LoadMark {
  loadBefore: number;
  loadAfter: number;
  /** Mean cores used by other processes during the block; NaN where /proc is unreadable. */
  otherCores: number;
  /** Other processes kept at least a quarter of a core busy on average (or we could not tell). */
  contended: boolean;
}

/** From this many cores used by others on average, a block is marked as measured under contention. */
export const CONTENDED_CORES = 0.25;
/** /proc counts CPU time in USER_HZ ticks, 100 per second on every Linux ABI (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/**
 * Busy ticks of the whole machine from /proc/stat's first line: user, nice,
 * system, irq, softirq and steal (a hypervisor running another guest on our
 * vCPU slows the bench as another process would); idle and iowait are not busy.
 * guest and guest_nice are already inside user and nice.
 */
export function machineBusyTicks(procStat: string): number {
  const fields = procStat.slice(0, procStat.indexOf('\n')).trim().split(/\s+/);
  if (fields[0] !== 'cpu') throw new Error(`not /proc/stat: ${fields[0]}`);
  const [user, nice, system, , , irq, softirq, steal] = fields.slice(1).map(Number);
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

/**
 * Ticks used by a process and its exited, reaped children, from its
 * /proc/PID/stat. The command name (field 2) may hold spaces and parentheses,
 * so fields are counted from its closing parenthesis.
 */
export function processTreeTicks(procPidStat: string): number {
  const after = procPidStat.slice(procPidStat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 (utime, stime, cutime, cstime); `after` starts at field 3.
  return after.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
}

export interface CpuSample {
  machineBusyTicks: number;
  ownTicks: number;
  atMs: number;
}

/** Mean cores others kept busy between two samples: what the machine did that we did not. */
export function otherCores(before: CpuSample, after: CpuSample): number {
  const others = after.machineBusyTicks - before.machineBusyTicks - (after.ownTicks - before.ownTicks);
  // Both counters tick at their own sampling instants, so a quiet interval can come out a tick or two below zero.
  return Math.max(0, (others * 1000) / TICKS_PER_SECOND) / (after.atMs - before.atMs);
}

function sampleCpu(): CpuSample | undefined {
  try {
    return {
      machineBusyTicks: machineBusyTicks(fs.readFileSync('/proc/stat', 'utf8')),
      ownTicks: processTreeTicks(fs.readFileSync('/proc/self/stat', 'utf8')),
      atMs: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/**
 * Runs `block` and marks it. Child processes count as the bench's own once
 * they have exited and been reaped (as execFile and spawn do before they
 * report the exit); a block must not leave one running.
 */
export async function withLoadMark<T>(block: () => Promise<T>): Promise<{ value: T; load: LoadMark }> {
  const loadBefore = os.loadavg()[0]!;
  const before = sampleCpu();
  const value = await block();
  const after = sampleCpu();
  const others = before && after ? otherCores(before, after) : Number.NaN;
  return { value, load: { loadBefore, loadAfter: os.loadavg()[0]!, otherCores: others, contended: !(others < CONTENDED_CORES) } };
}

/** How a mark reads beside a figure. */
export function describeLoad(l: LoadMark): string {
  const others = Number.isFinite(l.otherCores) ? `others used ${l.otherCores.toFixed(2)} cores` : "others' CPU time unknown (no /proc)";
  return `${l.contended ? '**contended**: ' : ''}${others}, 1-min load ${l.loadBefore.toFixed(1)}→${l.loadAfter.toFixed(1)} (ours included)`;
}
