import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { settings } from '../../src/config';
import { completeTaskUpdate, type TaskInput, taskStateQuery } from '../../src/contracts/dutyTask';
import { OrgTree } from '../../src/roster/orgTree';
import { migrate } from '../../src/services/migrate';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { startTask } from '../../src/tasks/start';
import { listTasks } from '../../src/tasks/query';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { createDutyWorker } from '../../worker';
import { duty, eventually } from '../support/cli';
import { RecordingChannel } from '../support/recordingChannel';

/** One side of the migration: a dev server with the engine's worker, sending into a recording outbox. */
interface Side {
  server: DevServer;
  client: Client;
  connection: Connection;
  native: NativeConnection;
  worker: Worker;
  running: Promise<void>;
  outbox: RecordingChannel;
  taskQueue: string;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-migrate-'));
const DUTY = 'migrate-check';
let bundle: WorkflowBundle;
let source: Side;
let target: Side;
let tree: OrgTree;

async function side(name: string): Promise<Side> {
  const server = await startDevServer({ headless: true, dbFile: path.join(tmp, name, 'temporal.db') });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const native = await NativeConnection.connect({ address: server.address });
  const outbox = new RecordingChannel();
  const taskQueue = `migrate-${name}-${Date.now()}`;
  const worker = await createDutyWorker({
    connection: native,
    client,
    namespace: server.namespace,
    settings: { ...settings(), taskQueue, quietHours: false, dataDir: path.join(tmp, name) },
    logger: pino({ level: 'silent' }),
    workflowBundle: bundle,
    channels: { outbox },
  });
  return { server, client, connection, native, worker, running: worker.run(), outbox, taskQueue };
}

async function stop(s: Side | undefined): Promise<void> {
  if (!s) return;
  s.worker.shutdown();
  await s.running;
  await s.native.close();
  await s.connection.close();
  await s.server.stop();
}

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'warn' }));
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  tree = new OrgTree((await loadCatalog(settings().catalogDir)).roster);
  [source, target] = await Promise.all([side('source'), side('target')]);
});

afterAll(async () => {
  await Promise.all([stop(source), stop(target)]);
  rmSync(tmp, { recursive: true, force: true });
});

/** A task of its own duty whose instants are seconds apart, so one test sees reminders on both sides of the move. */
function taskInput(unitId: string, due: number, reminders: number[]): TaskInput {
  const person = tree.peopleOf(unitId, 'liaison')[0];
  if (!person) throw new Error(`no liaison in ${unitId}`);
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = iso(due).slice(0, 10);
  return {
    taskId: `task:${DUTY}:2026-12:${unitId}`,
    duty: {
      id: DUTY,
      title: '迁移检查',
      completion: { note: 'optional', fields: [] },
      escalation: { levels: [{ afterWorkingDays: 1 }], repeatEveryWorkingDays: 0 },
      sendAt: '09:00',
      urgent: false,
    },
    occurrence: {
      dutyId: DUTY,
      period: '2026-12',
      periodStart: day,
      periodEnd: day,
      opensOn: day,
      opensAt: iso(Date.now()),
      nominalDueOn: day,
      dueOn: day,
      dueAt: iso(due),
      reminders: reminders.map(iso),
      provisional: false,
    },
    assignee: { personId: person.id, unitId },
    unitName: tree.unit(unitId).name,
    unitPath: [unitId],
    completers: [person.id],
    admins: [],
  };
}

const sentTo = (s: Side, id: string) => s.outbox.sent.filter((m) => m.notificationId === id);
const summary = async (client: Client) =>
  (await listTasks(client, { dutyId: DUTY })).map((t) => ({ id: t.taskId, status: t.status, level: t.escalationLevel, dueOn: t.dueOn })).sort((a, b) => a.id.localeCompare(b.id));

test('an installation moves with its open, overdue and completed tasks; its reminders go on once, from the target', async () => {
  const now = Date.now();
  const [a, b, c] = tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' }).map((x) => x.unitId);
  if (!a || !b || !c) throw new Error('the roster has fewer than three departments');
  const open = taskInput(a, now + 120_000, [now + 3_000, now + 60_000]);
  const overdue = taskInput(b, now - 3 * 86_400_000, []);
  const done = taskInput(c, now + 600_000, []);
  for (const t of [open, overdue, done]) await startTask(source.client, source.taskQueue, t);
  await source.client.workflow.getHandle(done.taskId).executeUpdate(completeTaskUpdate, { args: [{ by: done.completers[0] ?? '' }] });

  // The first reminder and the overdue task's catch-up went out from the source before the move.
  const first = `${open.taskId}/reminder-1`;
  await eventually(async () => sentTo(source, first).length, (n) => n === 1);
  await eventually(async () => (await source.client.workflow.getHandle(overdue.taskId).query(taskStateQuery)).deliveries.length, (n) => n > 0);
  const before = await eventually(() => summary(source.client), (list) => list.map((t) => t.status).sort().join() === 'done,open,overdue');

  const envFile = path.join(tmp, 'target.env');
  writeFileSync(envFile, `TEMPORAL_NAMESPACE=${target.server.namespace}\nDUTY_TASK_QUEUE='${target.taskQueue}'\n`);
  const result = await migrate(source.client, { to: target.server.address, toEnv: envFile });
  expect(result.ok).toBe(true);
  for (const c of result.counts) expect(c.target).toBe(c.source);
  expect(result.counts.find((c) => c.label === '未办结任务')).toMatchObject({ source: 2, target: 2 });
  expect(result.counts.find((c) => c.label === '已办结任务')).toMatchObject({ source: 1, target: 1 });

  // The target's list equals the source's; the source's tasks are stopped and its schedules paused.
  expect(await eventually(() => summary(target.client), (list) => JSON.stringify(list) === JSON.stringify(before))).toEqual(before);
  expect((await source.client.workflow.getHandle(open.taskId).describe()).status.name).toBe('TERMINATED');
  const state = await target.client.workflow.getHandle(open.taskId).query(taskStateQuery);
  expect(state.deliveries.map((d) => d.notificationId)).toContain(first);

  // A second run creates nothing.
  const again = await migrate(source.client, { to: target.server.address, toEnv: envFile });
  expect(again).toMatchObject({ ok: true, created: 0 });

  // The next reminder arrives once, from the target; the first is not repeated.
  const second = `${open.taskId}/reminder-2`;
  await eventually(async () => sentTo(target, second).length, (n) => n >= 1, 90_000);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(sentTo(target, second)).toHaveLength(1);
  expect(sentTo(source, second)).toHaveLength(0);
  expect(sentTo(target, first)).toHaveLength(0);
  expect(sentTo(target, `${overdue.taskId}/overdue-1`)).toHaveLength(0);
}, 240_000);

test('bad input is refused in Chinese, naming the option', async () => {
  const missing = path.join(tmp, 'nope.env');
  expect(await duty('migrate', '--to', 'not an address')).toMatchObject({ code: 2 });
  expect((await duty('migrate', '--to', 'not an address')).err).toContain('--to');
  expect((await duty('migrate', '--to', '127.0.0.1:7233', '--to-env', missing)).err).toContain(`--to-env: 文件不存在: ${missing}`);
  const tlsEnv = path.join(tmp, 'tls.env');
  writeFileSync(tlsEnv, `TEMPORAL_TLS_CLIENT_CERT_PATH=${path.join(tmp, 'client.pem')}\n`);
  expect((await duty('migrate', '--to', '127.0.0.1:7233', '--to-env', tlsEnv)).err).toContain('TEMPORAL_TLS_CLIENT_CERT_PATH 指向的文件不存在');
  expect((await duty('migrate', '--to', '127.0.0.1:7233', '--database-url', 'mysql://x')).err).toContain('--database-url');
  process.env.TEMPORAL_ADDRESS = source.server.address;
  const unreachable = await duty('migrate', '--to', '127.0.0.1:1');
  delete process.env.TEMPORAL_ADDRESS;
  expect(unreachable).toMatchObject({ code: 1 });
  expect(unreachable.err).toContain('--to: 无法连接目标 Temporal 127.0.0.1:1');
});
