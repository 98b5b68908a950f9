/**
 * The benchmark marks a block as contended from what other processes used
 * (bench/load-marks.ts). A wrong parse or a child's CPU time left out would
 * mark quiet runs as contended, or hide real contention.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { machineBusyTicks, otherCores, processTreeTicks } from '../../bench/load-marks.ts';

const PROC_STAT = `cpu  1000 50 300 9000 40 0 20 7 0 0
cpu0 500 25 150 4500 20 0 10 3 0 0
intr 12345 0 0
`;

/** A /proc/PID/stat line whose command name holds a space and a parenthesis; utime 120, stime 30, cutime 40, cstime 10. */
const PID_STAT = '4242 (node (bench) x) R 1 4242 4242 0 -1 4194304 9000 0 0 0 120 30 40 10 20 0 12 0 777 1000000 5000';

describe('the contention mark', () => {
  it("counts user, nice, system, irq, softirq and steal as the machine's busy time, not idle or iowait", () => {
    expect(machineBusyTicks(PROC_STAT)).toBe(1000 + 50 + 300 + 20 + 7);
  });

  it('counts a process and its exited children, whatever its command name holds', () => {
    expect(processTreeTicks(PID_STAT)).toBe(120 + 30 + 40 + 10);
  });

  it("attributes to others only the machine's busy time that was not ours, per second of wall time", () => {
    const before = { machineBusyTicks: 1000, ownTicks: 300, atMs: 0 };
    // 2 s: the machine was busy for 300 ticks (3 s of CPU), 200 of them ours.
    expect(otherCores(before, { machineBusyTicks: 1300, ownTicks: 500, atMs: 2000 })).toBeCloseTo(0.5);
    // All of it ours (a tick of skew between the counters reads as nobody else, not as a negative share).
    expect(otherCores(before, { machineBusyTicks: 1199, ownTicks: 500, atMs: 2000 })).toBe(0);
  });

  it.skipIf(!fs.existsSync('/proc/self/stat'))("counts a child process's CPU time as ours once it has exited", async () => {
    const own = () => processTreeTicks(fs.readFileSync('/proc/self/stat', 'utf8'));
    const before = own();
    // The child spins until it has used 300 ms of CPU, however busy the machine is.
    await promisify(execFile)(process.execPath, ['-e', 'while (process.cpuUsage().user < 300_000);']);
    expect(own() - before).toBeGreaterThanOrEqual(30);
  });
});
