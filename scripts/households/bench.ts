/**
 * Measures the household import end to end on a fresh dev server:
 *   npx tsx scripts/households/bench.ts [households=5000]
 *
 * 1. generates N fictional households, all cleared within the last 80 days;
 * 2. runs the worker (`node -r tsx/cjs worker.ts`) as its own process;
 * 3. runs `duty household import` under /usr/bin/time -v: wall time and peak RSS of the CLI;
 * 4. waits until every household has its revisit programme and the programme its first revisit task;
 * 5. lets the worker settle, then reads its RSS (VmRSS now, VmHWM peak) from /proc.
 * Results go to stdout and artifacts/bench-households.json. Everything runs under a temporary folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { REPO_ROOT } from '../../src/config';
import { startDevServer } from '../../tools/devServer';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { loadPayloadKeys } from '../../src/temporal/payloadKeys';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { REVISIT_WORKFLOW_TYPE } from '../../src/contracts/revisitProgramme';
import { REVISIT_DUTY_ID } from '../../src/shared/household';
import { SA } from '../../src/shared/searchAttributes';
import { visibilityQuery, type VisibilityQuery } from '../../src/tasks/visibilityQuery';
import { generate } from './generate';

const count = Number(process.argv[2] ?? 5000);

function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return Date.now();
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(1)));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-bench-households-'));
  const file = path.join(tmp, `households-${count}.csv`);
  writeFileSync(file, await generate(count));
  const server = await startDevServer({ headless: true, dbFile: path.join(tmp, 'temporal.db') });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    DUTY_DATA_DIR: tmp,
    DUTY_TASK_QUEUE: 'bench-households',
    DUTY_PAYLOAD_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  let worker: ChildProcess | undefined;
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection, namespace: server.namespace, dataConverter: dutyDataConverter(loadPayloadKeys(env, tmp)) });
    worker = spawn(process.execPath, ['-r', 'tsx/cjs', 'worker.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const workerPid = worker.pid ?? 0;
    // Ready once it polls: bundling the workflows at start-up takes a while and is not part of the import.
    const workerStarted = Date.now();
    const readyAt = await waitFor('worker ready', async () => {
      const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: server.namespace, taskQueue: { name: env.DUTY_TASK_QUEUE }, taskQueueType: 1 });
      return (pollers?.length ?? 0) > 0;
    }, 5 * 60_000);
    await new Promise((r) => setTimeout(r, 3000));
    const workerIdle = procStatus(workerPid);

    const importStarted = Date.now();
    const timeBin = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-v'] : [];
    const run = spawnSync(timeBin[0] ?? process.execPath, [...timeBin.slice(1), process.execPath, 'bin/duty.cjs', 'household', 'import', file, '--json'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const importDone = Date.now();
    if (run.status !== 0) throw new Error(`import failed (${run.status}): ${run.stderr.slice(-2000)}`);
    const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);

    const count_ = async (q: VisibilityQuery) => (await client.workflow.count(q.build())).count;
    const programmesAt = await waitFor('programmes', async () => (await count_(visibilityQuery().workflowType(REVISIT_WORKFLOW_TYPE))) >= count, 30 * 60_000);
    const firstRevisits = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.dutyId, REVISIT_DUTY_ID);
    const tasksAt = await waitFor('first revisits', async () => (await count_(firstRevisits)) >= count, 30 * 60_000);
    // Settled: the worker has nothing left to do once every programme sleeps until its next revisit.
    await new Promise((r) => setTimeout(r, 15_000));
    const workerOpen = procStatus(workerPid);
    const open = await count_(visibilityQuery().running());

    const result = {
      households: count,
      import: { seconds: (importDone - importStarted) / 1000, cliPeakRssMb: Math.round(peakKb / 1024), summary: JSON.parse(run.stdout) as unknown },
      programmesStartedSeconds: (programmesAt - importStarted) / 1000,
      firstRevisitTasksOpenSeconds: (tasksAt - importStarted) / 1000,
      runningWorkflows: open,
      worker: {
        startupSeconds: (readyAt - workerStarted) / 1000,
        readyIdleRssMb: workerIdle.rssMb,
        readyPeakRssMb: workerIdle.hwmMb,
        withProgrammesOpenRssMb: workerOpen.rssMb,
        peakRssMb: workerOpen.hwmMb,
      },
      node: process.version,
      cpus: os.cpus().length,
      // The machine is shared; a high load average means the figures above are pessimistic.
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((l) => Number(l.toFixed(1))) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    mkdirSync(path.join(REPO_ROOT, 'artifacts'), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, 'artifacts', 'bench-households.json'), JSON.stringify(result, null, 2));
  } finally {
    worker?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    await connection.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
