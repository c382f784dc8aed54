import { DateTime } from 'luxon';
import { periodContaining } from '../../src/calendar';
import type { OverdueReport } from '../../src/report/overdue';
import { closeStoreBackends } from '../../src/store/backend';
import { listTasks } from '../../src/tasks/query';
import { duty, eventually } from '../support/cli';
import { clusterKit, type ClusterKit, mails } from './support/shared';

/**
 * The engine's end-to-end path (tests/e2e/engine.test.ts) on the cluster: `duty` acting as an operator who sourced the
 * env file, two worker processes doing the work, mail through a real SMTP relay.
 */
const DUTY = 'monthly-data-import';
const ZONE = 'Asia/Shanghai';

let kit: ClusterKit;
beforeAll(async () => {
  kit = await clusterKit();
});
afterAll(async () => {
  await kit?.close();
  await closeStoreBackends();
});

const departments = () => kit.tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' });

test('catalog applied once by up; trigger, remind by mail, complete, report overdue: nothing lost', async () => {
  // `up` applied the catalog; applying again changes nothing.
  const again = await duty('apply');
  expect(again).toMatchObject({ code: 0, err: '' });
  expect(again.out).toMatch(/新建 0,更新 0,删除 0,无变化 \d+/);

  // A cycle: one task per department for the current period.
  const period = periodContaining({ kind: 'monthly' }, DateTime.now().setZone(ZONE).toISODate() ?? '')?.label ?? '';
  expect((await duty('trigger', DUTY)).code).toBe(0);
  const current = await eventually(() => listTasks(kit.client, { dutyId: DUTY, period }), (tasks) => tasks.length >= departments().length, 90_000);
  expect(current.map((t) => t.unit).sort()).toEqual(departments().map((a) => a.unitId).sort());

  // A missed period backfilled: every task opens overdue and its holder is mailed at once.
  expect((await duty('backfill', DUTY, '--from', '2026-10-01', '--to', '2026-10-01')).code).toBe(0);
  const october = await eventually(() => listTasks(kit.client, { dutyId: DUTY, period: '2026-10' }), (tasks) => tasks.length === departments().length, 90_000);
  const liaisons = departments().map((d) => kit.tree.peopleOf(d.unitId, 'liaison')[0]?.email as string);
  const mailed = () => new Set(mails().filter((m) => m.subject.includes('(2026-10)')).flatMap((m) => m.to));
  await eventually(async () => liaisons.filter((address) => !mailed().has(address)), (missing) => missing.length === 0, 120_000);
  const eduMail = mails().find((m) => m.subject.includes('(2026-10)') && m.to.includes(kit.tree.peopleOf('dept-edu', 'liaison')[0]?.email as string));
  expect(eduMail?.subject).toMatch(/^【二级督办·逾期\d+天】行业部门每月导入监测数据\(2026-10\) 原定截止 2026-10-15$/);

  // Completed through `duty`, on whichever worker picks the update up.
  const taskId = `task:${DUTY}:2026-10:dept-edu`;
  const liaison = kit.tree.peopleOf('dept-edu', 'liaison')[0]?.id ?? '';
  expect(await duty('task', 'complete', taskId, '--by', liaison, '--field', 'recordsImported=1200', '--note', '已导入')).toMatchObject({ code: 0, err: '' });
  const report = await eventually(
    async () => JSON.parse((await duty('report', 'overdue', '--format', 'json')).out) as OverdueReport,
    (r) => !JSON.stringify(r).includes(`2026-10:dept-edu"`),
  );
  const octoberRows = report.groups.flatMap((g) => g.units.flatMap((u) => u.tasks)).filter((r) => r.period === '2026-10');
  expect(octoberRows.map((r) => r.unitId).sort()).toEqual(departments().map((a) => a.unitId).filter((u) => u !== 'dept-edu').sort());
  expect((await duty('task', 'show', taskId)).out).toContain('状态: 已完成');

  // No task lost: every October task is still there, running or (the completed one) closed as completed.
  const statuses = await Promise.all(october.map(async (t) => (await kit.client.workflow.getHandle(t.taskId).describe()).status.name));
  expect(statuses.filter((s) => s !== 'RUNNING' && s !== 'COMPLETED')).toEqual([]);
  expect(await listTasks(kit.client, { dutyId: DUTY, period: '2026-10' })).toHaveLength(departments().length);
}, 300_000);
