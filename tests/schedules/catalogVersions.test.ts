import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { FileAuditLog } from '../../src/audit/fileLog';
import { OPERATOR } from '../../src/auth/policy';
import { previewDuty } from '../../src/calendar';
import { parseDuties } from '../../src/catalog/parse';
import { catalogVersionsOf } from '../../src/schedules/catalogVersion';
import { taskCatalogVersion } from '../../src/services/catalogVersions';
import { applyCatalog, backfillDuty, planCatalog } from '../../src/services/duties';
import { findTasks, showTask } from '../../src/services/tasks';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { duty, eventually } from '../support/cli';
import { startStack, type Stack } from '../http/stack';

/**
 * A deadline moved mid-year by an effective-dated version, on a real dev server: the schedule hands the duty with its
 * versions to each cycle, and the planning activity picks the version by the day the period begins. Past periods are
 * opened by backfill, so the test means the same whatever day it runs. Then the duty is removed: its open tasks run on,
 * until an apply with --close-open-tasks waives them with the reason.
 */

const ACTOR = { id: 'cli:test', via: 'cli' as const };
const DUTY_ID = 'versioned-import';
const BASE = `duties:
  - id: ${DUTY_ID}
    title: 测试:截止日随版本调整
    description: 每月15日前导入数据;自2025年7月起改为10日前。
    source: 测试
    recurrence: { kind: monthly }
    assignTo: { units: [dept-edu], role: liaison, per: unit }
    deadline: { day: 15 }
`;
const VERSIONED = `${BASE}    versions:
      - effectiveFrom: 2025-07-01
        deadline: { day: 10 }
`;
const task = (period: string) => `task:${DUTY_ID}:${period}:dept-edu`;

let stack: Stack;
let catalogDir: string;
let file: string;
const previous: Record<string, string | undefined> = {};

beforeAll(async () => {
  catalogDir = mkdtempSync(path.join(os.tmpdir(), 'duty-versions-'));
  cpSync(path.resolve('catalog/default'), catalogDir, { recursive: true });
  file = path.join(catalogDir, 'duties', 'versioned.yaml');
  stack = await startStack({ catalogDir });
  const vars = {
    TEMPORAL_ADDRESS: (stack.client.connection as Connection).options.address,
    TEMPORAL_NAMESPACE: stack.client.options.namespace,
    DUTY_DATA_DIR: stack.settings.dataDir,
    DUTY_TASK_QUEUE: stack.settings.taskQueue,
    DUTY_CATALOG_DIR: catalogDir,
  };
  for (const [k, v] of Object.entries(vars)) [previous[k], process.env[k]] = [process.env[k], v];
}, 120_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(previous)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.stop();
  rmSync(catalogDir, { recursive: true, force: true });
});

/** Writes the duty file (or removes it) with a fresh modification time, so every reader sees the change. */
function writeCatalog(text: string | undefined): void {
  if (text === undefined) return rmSync(file);
  writeFileSync(file, text);
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
}

const tasksOf = () => findTasks(stack.services, OPERATOR, { dutyId: DUTY_ID });
const dueOn = async (period: string) => (await showTask(stack.services, OPERATOR, task(period))).dueOn;
const calendar = loadWorkCalendar();
/** The deadline a preview gives a period under a catalog text: what the opened task must show. */
function previewed(text: string, period: string): string | undefined {
  const [d] = parseDuties(text, 'versioned.yaml');
  return d && previewDuty(d, `${period}-01`, `${period}-01`, calendar)[0]?.dueOn;
}

async function opened(periods: string[]): Promise<void> {
  await eventually(tasksOf, (tasks) => periods.every((p) => tasks.some((t) => t.taskId === task(p))));
}

test('a deadline moved from the 15th to the 10th from July: June keeps the 15th, August takes the 10th, the open July task is unchanged', async () => {
  writeCatalog(BASE);
  await applyCatalog(stack.services, ACTOR, undefined, false);
  await backfillDuty(stack.services, ACTOR, DUTY_ID, '2025-07-01', '2025-07-01');
  await opened(['2025-07']);
  const july = await dueOn('2025-07');
  expect(july).toBe(previewed(BASE, '2025-07'));

  writeCatalog(VERSIONED);
  const plan = await planCatalog(stack.services);
  expect(plan.changes.find((c) => c.dutyId === DUTY_ID)?.kind).toBe('update');
  expect(plan.versions).toEqual([
    {
      dutyId: DUTY_ID,
      effectiveFrom: '2025-07-01',
      firstPeriod: { label: '2025-07', start: '2025-07-01', end: '2025-07-31' },
      firstPeriodBegun: true,
      fields: [{ field: 'deadline', before: '周期第 15 天', after: '周期第 10 天' }],
    },
  ]);
  const shown = await duty('plan');
  expect(shown.code).toBe(0);
  expect(shown.out).toContain(`${DUTY_ID}  自 2025-07-01 起 deadline: 周期第 15 天 → 周期第 10 天;首个适用周期 2025-07(2025-07-01 开始),该周期已开始:已开启的任务保持原条款`);

  await applyCatalog(stack.services, ACTOR, undefined, false);
  await backfillDuty(stack.services, ACTOR, DUTY_ID, '2025-06-01', '2025-08-31');
  await opened(['2025-06', '2025-08']);
  expect(await dueOn('2025-06')).toBe(previewed(BASE, '2025-06'));
  expect(await dueOn('2025-08')).toBe(previewed(VERSIONED, '2025-08'));
  expect(await dueOn('2025-08')).not.toBe(previewed(BASE, '2025-08'));
  expect(await dueOn('2025-07')).toBe(july);

  // Which terms each task opened under: its memo's fingerprint, and the apply that wrote those terms.
  const [base, fromJuly] = catalogVersionsOf(parseDuties(VERSIONED, 'versioned.yaml')[0]!);
  const trail = await FileAuditLog.inDataDir(stack.settings.dataDir).list({ action: 'catalog.version', target: DUTY_ID });
  expect(trail).toHaveLength(2);
  const [second, first] = trail;
  expect(first?.detail).toEqual({ catalogVersions: [base] });
  expect(second?.detail).toEqual({ catalogVersions: [base, fromJuly] });
  expect(await taskCatalogVersion(stack.services, OPERATOR, task('2025-07'))).toEqual({ taskId: task('2025-07'), version: base, applied: first });
  expect(await taskCatalogVersion(stack.services, OPERATOR, task('2025-06'))).toEqual({ taskId: task('2025-06'), version: base, applied: second });
  expect(await taskCatalogVersion(stack.services, OPERATOR, task('2025-08'))).toEqual({ taskId: task('2025-08'), version: { fingerprint: fromJuly?.fingerprint, effectiveFrom: '2025-07-01' }, applied: second });
  const audit = await duty('audit', '--target', task('2025-08'));
  expect(audit.out).toContain(`任务 ${task('2025-08')} 开启时的职责条款: 自 2025-07-01 起生效的版本,指纹 ${fromJuly?.fingerprint ?? ''},该条款于`);
});

test('a removed duty: its schedule stops and its open tasks run on, until an apply with --close-open-tasks waives them with the reason', async () => {
  const open = (await tasksOf()).filter((t) => t.status === 'open' || t.status === 'overdue').map((t) => t.taskId);
  expect(open).toEqual(expect.arrayContaining([task('2025-06'), task('2025-07'), task('2025-08')]));

  writeCatalog(undefined);
  const plan = await planCatalog(stack.services);
  expect(plan.changes.find((c) => c.dutyId === DUTY_ID)?.kind).toBe('delete');
  expect(plan.retired.map((t) => [t.taskId, t.outcome])).toEqual(open.sort().map((id) => [id, 'kept']));

  const kept = await duty('apply');
  expect(kept.code).toBe(0);
  expect(kept.out).toContain(`已移除职责的未办结任务 ${open.length} 项(计划已停止):`);
  expect(kept.out).toContain('如需一并免除: npm run duty -- apply --close-open-tasks --by <管理员编号>');
  expect(await stack.client.schedule.getHandle(`duty:${DUTY_ID}`).describe().catch(() => 'gone')).toBe('gone');
  expect((await tasksOf()).filter((t) => open.includes(t.taskId)).map((t) => t.status)).not.toContain('waived');

  // Bad input is refused with exit code 2 before anything changes.
  for (const [args, message] of [
    [['apply', '--close-open-tasks'], '--close-open-tasks 须同时给出 --by <管理员编号>'],
    [['apply', '--close-open-tasks', '--by', 'p-edu-liaison'], '--by p-edu-liaison 不是名册中的管理员 (admin),不能免除任务'],
    [['apply', '--by', 'p-admin'], '--by 和 --reason 只用于 --close-open-tasks'],
  ] as const) {
    const refused = await duty(...args);
    expect({ code: refused.code, err: refused.err }).toEqual({ code: 2, err: expect.stringContaining(message) });
  }
  expect((await planCatalog(stack.services)).retired).toHaveLength(open.length);

  const closed = await duty('apply', '--close-open-tasks', '--by', 'p-admin', '--reason', '职责调整,本项不再督办');
  expect(closed.code).toBe(0);
  expect(closed.out.match(/已免除/g)).toHaveLength(open.length);
  for (const id of open) {
    const state = await showTask(stack.services, OPERATOR, id);
    expect(state).toMatchObject({ status: 'waived', waiver: { by: 'p-admin', reason: '职责调整,本项不再督办' } });
  }
  const waivers = await FileAuditLog.inDataDir(stack.settings.dataDir).list({ action: 'task.waive' });
  expect(waivers.map((e) => e.target).sort()).toEqual([...open].sort());
  expect(waivers.every((e) => e.detail?.reason === '职责调整,本项不再督办')).toBe(true);
  expect((await planCatalog(stack.services)).retired).toEqual([]);
});
