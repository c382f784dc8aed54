import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { ChildStats } from './workerChild';

const CHILD = path.join(__dirname, 'workerChild.ts');

// A bench that dies (Ctrl-C, a thrown error) must not leave workers polling a server that is gone.
const alive = new Set<ChildProcess>();
process.once('exit', () => alive.forEach((c) => c.kill('SIGKILL')));

export interface WorkerProcess {
  pid: number;
  ready: Promise<void>;
  exited: Promise<number | null>;
  /** The latest stats the child reported; `peak` keeps the highest RSS seen. */
  stats(): ChildStats | undefined;
  peakRss(): number;
  /** Asks for fresh stats (after a GC when `gc`) and waits for them. */
  measure(gc?: boolean): Promise<ChildStats>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Spawns the worker as a plain node process (tsx as a loader, not the tsx CLI, whose wrapper process would survive a
 * `kill -9` of its child, or the other way round). Its JSON logs are appended to `logFile`.
 */
/** BENCH_WORKER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, is how the limits in the README were found. */
function nodeArgs(): string[] {
  return (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

export function spawnWorker(env: Record<string, string>, logFile: string): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', ...nodeArgs(), '--import', 'tsx', CHILD], {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: process.env.BENCH_WORKER_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let latest: ChildStats | undefined;
  let peak = 0;
  const waiters: ((s: ChildStats) => void)[] = [];
  alive.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      alive.delete(child);
      resolve(code);
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (msg: { type?: string }) => {
      if (msg.type === 'ready') resolve();
      if (msg.type === 'stats') {
        latest = msg as ChildStats;
        peak = Math.max(peak, latest.rss);
        waiters.splice(0).forEach((w) => w(latest as ChildStats));
      }
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code} before it was ready; see ${logFile}`)));
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    stats: () => latest,
    peakRss: () => peak,
    measure(gc = false) {
      const next = new Promise<ChildStats>((resolve) => waiters.push(resolve));
      if (gc) child.send({ type: 'gc' });
      child.send({ type: 'report' });
      return next;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
