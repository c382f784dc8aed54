import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS = 100; // USER_HZ on Linux

/** Every process whose command line holds all the needles. */
export function findPids(...needles: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (needles.every((n) => cmdline.includes(n))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** User + system CPU seconds a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Other processes busy on this machine right now (their share of one core), for the note on what else ran. */
export function busyNeighbours(ownPids: number[], min = 0.2): string[] {
  const first = new Map<number, number>();
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
  for (const pid of pids) first.set(pid, cpuSeconds(pid));
  const began = Date.now();
  const wait = Date.now() + 1000;
  while (Date.now() < wait) {
    // a short busy-free wait: Atomics.wait blocks without spinning
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  const secs = (Date.now() - began) / 1000;
  const out: string[] = [];
  for (const pid of pids) {
    if (ownPids.includes(pid) || pid === process.pid) continue;
    const share = (cpuSeconds(pid) - (first.get(pid) ?? 0)) / secs;
    if (share < min) continue;
    try {
      out.push(`${share.toFixed(1)} core: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 90)}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export const cores = () => os.cpus().length;
export const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
