import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { REPO_ROOT } from '../../src/config';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { UsageError } from '../../src/errors';
import { dutyPid, isHttp, probeHttp, probeWorker, startDutyProcess, stopDutyProcess, taskQueueOf, waitDutyProcess } from './dutyProcesses';
import { run, tail } from './exec';
import { DUTY_PROCESSES, type ClusterLayout, type DutyProcess } from './layout';

/** A worker bundles its workflows before it polls: about 20 s each on 2 cores when both start together. */
const ENGINE_START_TIMEOUT_MS = 180_000;

/**
 * The engine on the cluster: applies the catalog once, as `npm start` and `duty apply` do, then starts whichever of the
 * two workers and two HTTP replicas is not running and waits until each is healthy.
 */
export async function upEngine(layout: ClusterLayout, env: Record<string, string>, log: (line: string) => void): Promise<void> {
  await fs.rm(layout.engineOffFile, { force: true });
  await applyCatalog(env, log);
  const connection = await Connection.connect(toConnectionOptions(loadConnectionConfig({ env })));
  try {
    const taskQueue = taskQueueOf(env);
    await Promise.all(
      DUTY_PROCESSES.map(async (p) => {
        const { pid, started } = await startDutyProcess(layout, p, env);
        const probe = () => (isHttp(p) ? probeHttp(layout, p) : probeWorker(connection, taskQueue, pid));
        await waitDutyProcess(layout, p, pid, probe, ENGINE_START_TIMEOUT_MS);
        log(`${processLabel(layout, p)} 进程 ${pid}(${started ? '已启动' : '已在运行'})`);
      }),
    );
  } finally {
    await connection.close();
  }
}

/**
 * `up --no-engine`: a cluster to migrate into (docs/operations.md). Applying the catalog would open the current
 * periods' tasks, and workers would send their catch-up reminders before the source's tasks arrive; so neither
 * happens, and a file says so, for `status`. An engine already running is refused: it has done just that.
 */
export async function leaveEngineOff(layout: ClusterLayout): Promise<void> {
  const running = (await Promise.all(DUTY_PROCESSES.map(async (p) => ((await dutyPid(layout, p)) ? p : undefined)))).filter(Boolean);
  if (running.length) {
    throw new UsageError(`引擎进程已在运行(${running.join('、')}):--no-engine 用于引擎尚未启动的集群(迁移的目标)。如确要停下引擎再迁移: npm run cluster -- down,然后 up --no-engine`);
  }
  await fs.mkdir(path.dirname(layout.engineOffFile), { recursive: true });
  await fs.writeFile(layout.engineOffFile, `${new Date().toISOString()} npm run cluster -- up --no-engine\n`);
}

/** Whether the engine was left off on purpose by `up --no-engine` (and no plain `up` has started it since). */
export async function engineLeftOff(layout: ClusterLayout): Promise<boolean> {
  return fs.access(layout.engineOffFile).then(
    () => true,
    () => false,
  );
}

/** Replicas first (no new request reaches a worker-less engine), then the workers. */
export async function downEngine(layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  const order: DutyProcess[][] = [DUTY_PROCESSES.filter(isHttp), DUTY_PROCESSES.filter((p) => !isHttp(p))];
  for (const group of order) {
    await Promise.all(group.map(async (p) => (await stopDutyProcess(layout, p)) && log(`已停止 ${p}`)));
  }
}

function processLabel(layout: ClusterLayout, p: DutyProcess): string {
  return isHttp(p) ? `网页服务 ${p} http://${layout.host}:${layout.ports.http[p]}` : `引擎 worker ${p}`;
}

/** `duty apply` in a process of its own with the cluster's settings: exactly what an operator runs, audited the same. */
async function applyCatalog(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const out = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'duty.cjs'), 'apply'], { env: { ...process.env, ...env } });
  // The totals line; the rest (retired duties' open tasks, roster moves) is what `duty plan` shows in full.
  log(`职责目录已应用: ${out.split('\n').find((line) => line.startsWith('合计:')) ?? tail(out, 1)}`);
}

