import { DateTime } from 'luxon';
import { FileAuditLog } from '../../src/audit/fileLog';
import { OPERATOR } from '../../src/auth/policy';
import { ValidationError } from '../../src/errors';
import { extendTasks, liftEmergency, listEmergencies, suspendUnits } from '../../src/services/emergencies';
import { showTask } from '../../src/services/tasks';
import { deadlineAfterWindow, previewDuty } from '../../src/calendar';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { ZONE } from '../../src/shared/zone';
import { startStack, type Stack } from '../http/stack';

/**
 * Emergencies through the service, on the dev server: two townships suspended over a window that covers their
 * deadline; the deadlines move by the working days covered; other townships are untouched; overlapping or malformed
 * requests are refused and change nothing; lifting puts everything back. `extend` and its undo likewise.
 */

const ACTOR = { id: 'cli:test', via: 'cli' as const };
const DUTY = 'three-assets-disclosure';
let stack: Stack;
let ids: string[];
const next = DateTime.now().setZone(ZONE).plus({ months: 3 });
const PERIOD = `${next.year}-Q${Math.ceil(next.month / 3)}`;
const plus = (date: string, days: number) => DateTime.fromISO(date, { zone: ZONE }).plus({ days }).toISODate() ?? date;

beforeAll(async () => {
  stack = await startStack();
  ids = await stack.openPeriod(DUTY, PERIOD);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const under = (township: string) => ids.filter((id) => stack.tree.isInSubtree(id.split(':').at(-1) ?? '', township));
const dueOf = async (taskId: string) => (await showTask(stack.services, OPERATOR, taskId)).dueOn;

test('suspending two townships moves their deadlines inside the window and leaves the others alone; lifting restores them', async () => {
  const [qh] = under('t-qionghu');
  const [other] = under('t-caowei');
  if (!qh || !other) throw new Error('no tasks in the townships');
  const dueOn = await dueOf(qh);
  const window = { units: ['t-qionghu', 't-yanzhihu'], from: plus(dueOn, -2), to: plus(dueOn, 2), reason: '洞庭湖汛期防汛' };

  const dry = await suspendUnits(stack.services, ACTOR, { ...window, dryRun: true });
  const touched = [...under('t-qionghu'), ...under('t-yanzhihu')].length;
  expect(dry).toMatchObject({ dryRun: true, tasks: touched, moved: touched });
  expect(await listEmergencies(stack.services)).toEqual([]);

  const done = await suspendUnits(stack.services, ACTOR, window);
  expect(done.tasks).toBe(touched);
  const cal = loadWorkCalendar();
  let covered = 0;
  for (let d = window.from; d <= window.to; d = plus(d, 1)) if (cal.isWorkday(d)) covered += 1;
  const expected = cal.shift(cal.addWorkingDays(dueOn, covered).date, 'previous-working-day').date;
  expect(await dueOf(qh)).toBe(expected);
  expect(await dueOf(other)).toBe(dueOn);
  const state = await showTask(stack.services, OPERATOR, qh);
  expect(state.suspensions?.map((s) => s.emergencyId)).toEqual([done.emergency.id]);
  expect(state.events.at(-1)?.action).toBe('suspended');

  // Refused, with nothing written: an overlap, a window that ends before it starts, an unknown unit, no reason.
  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);
  const overlap = await refusal(suspendUnits(stack.services, ACTOR, { ...window, units: ['v-xiaohezui'] }));
  expect(overlap).toBeInstanceOf(ValidationError);
  expect((overlap as Error).message).toContain(`与紧急情况 ${done.emergency.id}`);
  expect(((await refusal(suspendUnits(stack.services, ACTOR, { ...window, units: ['t-caowei'], from: window.to, to: window.from }))) as Error).message).toContain('结束日期早于开始日期');
  expect(((await refusal(suspendUnits(stack.services, ACTOR, { ...window, units: ['t-nowhere'] }))) as Error).message).toContain('t-nowhere');
  expect(((await refusal(suspendUnits(stack.services, ACTOR, { ...window, units: ['t-caowei'], reason: ' ' }))) as Error).message).toContain('原因不能为空');
  expect(await listEmergencies(stack.services)).toHaveLength(1);

  await liftEmergency(stack.services, ACTOR, done.emergency.id);
  expect(await dueOf(qh)).toBe(dueOn);
  expect((await showTask(stack.services, OPERATOR, qh)).suspensions).toEqual([]);
  expect((await listEmergencies(stack.services))[0]?.liftedAt).toBeDefined();
  await expect(liftEmergency(stack.services, ACTOR, done.emergency.id)).rejects.toThrow('已于');
  const trail = (await FileAuditLog.inDataDir(stack.settings.dataDir).list()).filter((e) => e.action.startsWith('emergency.'));
  expect(trail.map((e) => e.action).sort()).toEqual(['emergency.lift', 'emergency.suspend']);
});

test('extend gives the matching tasks one new deadline in one step, and lift gives the old one back', async () => {
  const [task] = under('t-nandashan');
  if (!task) throw new Error('no task in 南大膳镇');
  const dueOn = await dueOf(task);
  const cal = loadWorkCalendar();
  let to = plus(dueOn, 10);
  while (!cal.isWorkday(to)) to = plus(to, 1);
  const done = await extendTasks(stack.services, ACTOR, { units: ['t-nandashan'], dutyId: DUTY, period: PERIOD, to, reason: '汛期' });
  expect(done.tasks).toBe(under('t-nandashan').length);
  expect(await dueOf(task)).toBe(to);
  await liftEmergency(stack.services, ACTOR, done.emergency.id);
  expect(await dueOf(task)).toBe(dueOn);
});

test('a task that opens while its unit is suspended starts suspended, its deadline already moved', async () => {
  const later = next.plus({ months: 3 });
  const period = `${later.year}-Q${Math.ceil(later.month / 3)}`;
  const duty = await stack.services.duty(DUTY);
  const cal = loadWorkCalendar();
  const dueOn = previewDuty(duty, `${later.year}-01-01`, `${later.year}-12-31`, cal).find((o) => o.period === period)?.dueOn ?? '';
  const done = await suspendUnits(stack.services, ACTOR, { units: ['t-sijihong'], from: plus(dueOn, -1), to: plus(dueOn, 1), reason: '汛期' });
  const opened = await stack.openPeriod(DUTY, period);
  const inside = opened.find((id) => stack.tree.isInSubtree(id.split(':').at(-1) ?? '', 't-sijihong'));
  const outside = opened.find((id) => !stack.tree.isInSubtree(id.split(':').at(-1) ?? '', 't-sijihong'));
  if (!inside || !outside) throw new Error('no tasks');
  const state = await showTask(stack.services, OPERATOR, inside);
  expect(state.suspensions?.map((s) => s.emergencyId)).toEqual([done.emergency.id]);
  expect(state.dueOn).toBe(deadlineAfterWindow(dueOn, plus(dueOn, -1), plus(dueOn, 1), duty.shift, cal));
  expect(await dueOf(outside)).toBe(dueOn);
  await liftEmergency(stack.services, ACTOR, done.emergency.id);
});
