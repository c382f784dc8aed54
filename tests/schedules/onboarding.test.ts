import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { OPERATOR } from '../../src/auth/policy';
import { applyCatalog, dutyStatuses, pauseDuty, planCatalog, resumeDuty } from '../../src/services/duties';
import { findTasks } from '../../src/services/tasks';
import { ZONE } from '../../src/shared/zone';
import { eventually } from '../support/cli';
import { startStack, type Stack } from '../http/stack';

/**
 * A bureau that switches the engine on mid-period: a duty applied while its period is under way opens that period at
 * once, exactly once; one applied after its deadline is listed as not opened, with the command that would open it.
 * Deadlines are chosen so the test means the same whatever day it runs (the last minute of a month excepted).
 */

const ACTOR = { id: 'cli:test', via: 'cli' as const };
const DUTIES = `duties:
  - id: onboard-open
    title: 测试:本月内随时可办
    description: 月末 23:59 截止, 应用时本月一定已开始且未截止。
    source: 测试
    recurrence: { kind: monthly }
    assignTo: { unitKinds: [department], role: liaison, per: unit }
    deadline: { endOfPeriod: true }
    dueTime: '23:59'
    shift: none
  - id: onboard-missed
    title: 测试:每月1日零点截止
    description: 应用时本月的截止时间一定已过。
    source: 测试
    recurrence: { kind: monthly }
    assignTo: { unitKinds: [department], role: liaison, per: unit }
    deadline: { day: 1 }
    dueTime: '00:01'
    shift: none
`;

let stack: Stack;
let catalogDir: string;
const month = DateTime.now().setZone(ZONE).toFormat('yyyy-MM');

beforeAll(async () => {
  catalogDir = mkdtempSync(path.join(os.tmpdir(), 'duty-onboard-'));
  cpSync(path.resolve('catalog/default'), catalogDir, { recursive: true });
  stack = await startStack({ catalogDir });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(catalogDir, { recursive: true, force: true });
});

const departments = () => stack.tree.roster.units.filter((u) => u.kind === 'department' && stack.tree.peopleOf(u.id, 'liaison').length > 0).length;
const tasksOf = (dutyId: string) => findTasks(stack.services, OPERATOR, { dutyId, period: month });

test('applying a duty mid-period opens the period under way once; a passed deadline is reported with its backfill command', async () => {
  const file = path.join(catalogDir, 'duties', 'onboarding.yaml');
  writeFileSync(file, DUTIES);
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);

  const plan = await planCatalog(stack.services);
  expect(plan.onboarding.map((o) => [o.dutyId, o.period, o.action])).toEqual([
    ['onboard-open', month, 'open'],
    ['onboard-missed', month, 'missed'],
  ]);
  expect(await tasksOf('onboard-open')).toEqual([]);

  const applied = await applyCatalog(stack.services, ACTOR, undefined, false);
  expect(applied.onboarding.filter((o) => o.action === 'open').map((o) => o.dutyId)).toEqual(['onboard-open']);
  const opened = await eventually(
    () => tasksOf('onboard-open'),
    (tasks) => tasks.length === departments(),
  );
  expect(opened.length).toBeGreaterThan(0);

  // A second apply, and a pause and resume, open nothing more.
  expect((await applyCatalog(stack.services, ACTOR, undefined, false)).onboarding).toEqual([]);
  await pauseDuty(stack.services, ACTOR, 'onboard-open', '测试暂停');
  expect(await resumeDuty(stack.services, ACTOR, 'onboard-open')).toMatchObject({ action: 'open', period: month });
  await new Promise((r) => setTimeout(r, 2_000));
  expect((await tasksOf('onboard-open')).length).toBe(opened.length);
  expect(await tasksOf('onboard-missed')).toEqual([]);

  const statuses = await dutyStatuses(stack.services);
  expect(statuses.find((s) => s.duty.id === 'onboard-missed')?.notOpened).toMatchObject({ period: month, action: 'missed' });
  expect(statuses.find((s) => s.duty.id === 'onboard-open')?.notOpened).toBeUndefined();
});
