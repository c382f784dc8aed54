import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { UsageError } from '../../src/errors';
import { tail } from './exec';
import type { ClusterLayout, Service } from './layout';

const STOP_GRACE_MS = 20_000;

/**
 * The pid in the service's pid file, if that process is alive and still ours: its command line names our config file.
 * A pid reused by an unrelated process after a reboot is never signalled.
 */
export async function servicePid(layout: ClusterLayout, service: Service): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await fs.readFile(layout.pidFile(service), 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(layout.configFile(service)) ? pid : undefined;
}

/**
 * Starts one service as its own process, detached (own session) so it outlives this script and Ctrl-C here does not
 * reach it. Its output goes to logs/<service>.log.
 */
export async function startService(layout: ClusterLayout, server: string, service: Service): Promise<{ pid: number; started: boolean }> {
  const running = await servicePid(layout, service);
  if (running) return { pid: running, started: false };
  await refuseTakenPort(layout.host, layout.ports.grpc[service], `Temporal ${service}`);
  await fs.mkdir(path.dirname(layout.logFile(service)), { recursive: true });
  await fs.mkdir(path.dirname(layout.pidFile(service)), { recursive: true });
  const log = await fs.open(layout.logFile(service), 'a');
  try {
    // No authorizer: the frontend's mTLS is the gate (any holder of a client certificate from our CA may act).
    const args = ['--config-file', layout.configFile(service), '--allow-no-auth', 'start', '--service', service];
    const child = spawn(server, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    await fs.writeFile(layout.pidFile(service), `${pid}\n`);
    return { pid, started: true };
  } finally {
    await log.close();
  }
}

/** Waits until the service accepts TCP on its gRPC port; a process that dies first fails with its log's last lines. */
export async function waitForPort(layout: ClusterLayout, service: Service, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(layout.host, layout.ports.grpc[service]))) {
    if (!processAlive(pid)) {
      const logText = await fs.readFile(layout.logFile(service), 'utf8').catch(() => '');
      throw new UsageError(`Temporal ${service} 服务启动失败(进程 ${pid} 已退出)。${layout.logFile(service)} 末尾:\n${readableTail(logText)}`);
    }
    if (Date.now() > deadline) throw new UsageError(`Temporal ${service} 服务 ${timeoutMs / 1000} 秒内未监听端口 ${layout.ports.grpc[service]},见 ${layout.logFile(service)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The server logs JSON with stack traces; a person needs the messages and errors of the last few lines. */
function readableTail(logText: string): string {
  return tail(logText, 6)
    .split('\n')
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; error?: string };
        return `  ${entry.msg ?? ''}${entry.error ? `: ${entry.error.slice(0, 300)}` : ''}`;
      } catch {
        return `  ${line.slice(0, 300)}`;
      }
    })
    .join('\n');
}

/** Someone else's server on our port would answer our health checks in our stead. */
export async function refuseTakenPort(host: string, port: number, what: string): Promise<void> {
  if (await portOpen(host, port)) throw new UsageError(`${what} 的端口 ${host}:${port} 已被其他进程占用;请先停止它(ss -ltnp 可查是谁)`);
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Alive and not a zombie: a stopped service whose parent never reaps it still answers kill(pid, 0). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function stopService(layout: ClusterLayout, service: Service): Promise<boolean> {
  return stopProcess(await servicePid(layout, service), layout.pidFile(service));
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone and its pid file removed. */
export async function stopProcess(pid: number | undefined, pidFile: string): Promise<boolean> {
  if (pid) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  }
  await fs.rm(pidFile, { force: true });
  return pid !== undefined;
}
