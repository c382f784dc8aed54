import { Connection } from '@temporalio/client';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { layoutOf, type ClusterOptions } from './cluster';
import { dutyPid, isHttp, probeHttp, probeWorker, taskQueueOf } from './dutyProcesses';
import { engineLeftOff } from './engine';
import { clusterClientEnv } from './envFile';
import { probeService } from './health';
import { type ClusterLayout, DUTY_PROCESSES, type DutyProcess, SERVICES, type Service } from './layout';
import { findPgBinaries, postgresAccepting, postgresPid } from './postgres';
import { servicePid } from './processes';

export interface StatusRow {
  name: string;
  pid?: number;
  /** None for a worker: it only connects out. */
  port?: number;
  healthy: boolean;
  /** An engine process `up --no-engine` left off on purpose: neither healthy nor a fault. */
  leftOff?: boolean;
  /** What was checked, or why it failed, in Chinese. */
  detail: string;
}

export async function clusterStatus(opts: ClusterOptions): Promise<StatusRow[]> {
  const layout = layoutOf(opts);
  const pg = await findPgBinaries();
  const pgPid = await postgresPid(layout);
  const rows: StatusRow[] = [
    {
      name: 'postgres',
      pid: pgPid,
      port: layout.ports.postgres,
      ...(pgPid && pg && (await postgresAccepting(layout, pg)) ? { healthy: true, detail: '接受连接(pg_isready)' } : { healthy: false, detail: pgPid ? '进程在,但不接受连接' : '未运行' }),
    },
  ];
  for (const service of SERVICES) rows.push(await serviceRow(layout, service));
  const connection = await Connection.connect({ ...toConnectionOptions(loadConnectionConfig({ env: clusterClientEnv(layout) })), connectTimeout: 3_000 }).catch(() => undefined);
  const leftOff = await engineLeftOff(layout);
  try {
    for (const p of DUTY_PROCESSES) rows.push(await engineRow(layout, p, connection, taskQueueOf(opts.engineEnv ?? {}), leftOff));
  } finally {
    await connection?.close();
  }
  return rows;
}

async function engineRow(layout: ClusterLayout, p: DutyProcess, connection: Connection | undefined, taskQueue: string, leftOff: boolean): Promise<StatusRow> {
  const pid = await dutyPid(layout, p);
  const row = { name: p, pid, ...(isHttp(p) ? { port: layout.ports.http[p] } : {}) };
  if (!pid && leftOff) return { ...row, healthy: false, leftOff: true, detail: '按 up --no-engine 未启动(供迁移);迁移完成后 npm run cluster -- up 启动引擎' };
  if (!pid) return { ...row, healthy: false, detail: '未运行' };
  try {
    if (isHttp(p)) return { ...row, healthy: true, detail: await probeHttp(layout, p) };
    if (!connection) return { ...row, healthy: false, detail: '进程在,但连不上 Temporal 前端,无法确认轮询' };
    return { ...row, healthy: true, detail: await probeWorker(connection, taskQueue, pid) };
  } catch (err) {
    return { ...row, healthy: false, detail: err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err) };
  }
}

async function serviceRow(layout: ClusterLayout, service: Service): Promise<StatusRow> {
  const port = layout.ports.grpc[service];
  const pid = await servicePid(layout, service);
  const row = { name: service, pid, port };
  if (!pid) return { ...row, healthy: false, detail: '未运行' };
  try {
    return { ...row, healthy: true, detail: await probeService(layout, service) };
  } catch (err) {
    return { ...row, healthy: false, detail: err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err) };
  }
}

/** What `status` exits with: 3 when some process should run and is not healthy. */
export function statusExitCode(rows: StatusRow[]): number {
  return rows.every((r) => r.healthy || r.leftOff) ? 0 : 3;
}

export function statusText(rows: StatusRow[]): string {
  // Every label six columns wide on a terminal, where a CJK character takes two.
  const label = (r: StatusRow) => (r.healthy ? '正常  ' : r.leftOff ? '未启动' : '异常  ');
  const lines = rows.map((r) => `${label(r)}  ${r.name.padEnd(13)} 进程 ${String(r.pid ?? '-').padEnd(8)} 端口 ${String(r.port ?? '-').padEnd(6)} ${r.detail}`);
  return `${lines.join('\n')}\n`;
}
