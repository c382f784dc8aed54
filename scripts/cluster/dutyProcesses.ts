import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { REPO_ROOT, settings } from '../../src/config';
import { UsageError } from '../../src/errors';
import { tail } from './exec';
import { type ClusterLayout, type DutyProcess, HTTP_REPLICAS, type HttpReplica } from './layout';
import { processAlive, refuseTakenPort, stopProcess } from './processes';
import { CLUSTER_NAMESPACE } from './envFile';

const TSX = pathToFileURL(require.resolve('tsx')).href;
/** The same entry points as `npm run worker` and the web process of `npm start`, run as plain node with tsx as a loader. */
const SCRIPT = { worker: path.join(REPO_ROOT, 'worker.ts'), http: path.join(REPO_ROOT, 'scripts', 'http.ts') };

export function isHttp(p: DutyProcess): p is HttpReplica {
  return (HTTP_REPLICAS as readonly string[]).includes(p);
}

/** A process's own environment: the cluster's shared settings, its own data folder and (a replica) its own port. */
export function dutyProcessEnv(layout: ClusterLayout, p: DutyProcess, shared: Record<string, string>): Record<string, string> {
  return { ...shared, DUTY_DATA_DIR: layout.dutyDataDir(p), ...(isHttp(p) ? { DUTY_HTTP_PORT: String(layout.ports.http[p]) } : {}) };
}

/**
 * The pid in the process's pid file, if alive and still ours: it runs our script with our data folder in its
 * environment (readable for our own processes only). A reused pid is never signalled.
 */
export async function dutyPid(layout: ClusterLayout, p: DutyProcess): Promise<number | undefined> {
  const pid = Number((await fs.readFile(layout.pidFile(p), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  const [cmdline, environ] = await Promise.all([`/proc/${pid}/cmdline`, `/proc/${pid}/environ`].map((f) => fs.readFile(f, 'utf8').catch(() => '')));
  const ours = cmdline!.split('\0').includes(SCRIPT[isHttp(p) ? 'http' : 'worker']) && environ!.split('\0').includes(`DUTY_DATA_DIR=${layout.dutyDataDir(p)}`);
  return ours ? pid : undefined;
}

/** Starts one worker or HTTP replica detached (it outlives `up`), logging to logs/<name>.log. */
export async function startDutyProcess(layout: ClusterLayout, p: DutyProcess, env: Record<string, string>): Promise<{ pid: number; started: boolean }> {
  const running = await dutyPid(layout, p);
  if (running) return { pid: running, started: false };
  if (isHttp(p)) await refuseTakenPort(layout.host, layout.ports.http[p], `网页服务 ${p}`);
  await Promise.all([layout.dutyDataDir(p), path.dirname(layout.logFile(p)), path.dirname(layout.pidFile(p))].map((d) => fs.mkdir(d, { recursive: true })));
  const log = await fs.open(layout.logFile(p), 'a');
  try {
    const child = spawn(process.execPath, ['--import', TSX, SCRIPT[isHttp(p) ? 'http' : 'worker']], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...dutyProcessEnv(layout, p, env) },
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    await fs.writeFile(layout.pidFile(p), `${pid}\n`);
    return { pid, started: true };
  } finally {
    await log.close();
  }
}

/** SIGTERM (the worker finishes its activities in hand, the replica its requests), SIGKILL after a grace period. */
export async function stopDutyProcess(layout: ClusterLayout, p: DutyProcess): Promise<boolean> {
  return stopProcess(await dutyPid(layout, p), layout.pidFile(p));
}

/** An HTTP replica is healthy when its sign-in page answers 200: it is listening and renders pages. */
export async function probeHttp(layout: ClusterLayout, p: HttpReplica): Promise<string> {
  const url = `http://${layout.host}:${layout.ports.http[p]}/login`;
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return `GET /login 200`;
}

/**
 * A worker is healthy when the server lists it (identity `<pid>@<host>`) among the pollers of both the workflow and
 * the activity task queue; a dead worker stays listed for minutes, so the pid must also be alive.
 */
export async function probeWorker(connection: Connection, taskQueue: string, pid: number): Promise<string> {
  const { TASK_QUEUE_TYPE_WORKFLOW: wf, TASK_QUEUE_TYPE_ACTIVITY: act } = temporal.api.enums.v1.TaskQueueType;
  for (const taskQueueType of [wf, act]) {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: CLUSTER_NAMESPACE, taskQueue: { name: taskQueue }, taskQueueType });
    if (!pollers?.some((poller) => poller.identity?.startsWith(`${pid}@`))) throw new Error(`未在任务队列 ${taskQueue} 上轮询`);
  }
  return `轮询任务队列 ${taskQueue}(工作流与活动)`;
}

/** Waits until `probe` passes; a process that dies first fails with its log's last lines. */
export async function waitDutyProcess(layout: ClusterLayout, p: DutyProcess, pid: number, probe: () => Promise<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!processAlive(pid)) {
      const logText = await fs.readFile(layout.logFile(p), 'utf8').catch(() => '');
      throw new UsageError(`${p} 启动失败(进程 ${pid} 已退出)。${layout.logFile(p)} 末尾:\n${tail(logText, 8)}`);
    }
    try {
      await probe();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new UsageError(`${p} 在 ${timeoutMs / 1000} 秒内未就绪(${err instanceof Error ? err.message : String(err)}),见 ${layout.logFile(p)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The task queue the workers poll, as they read it from the same environment. */
export function taskQueueOf(env: Record<string, string>): string {
  return settings({ ...process.env, ...env }).taskQueue;
}
