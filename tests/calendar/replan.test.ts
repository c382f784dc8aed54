import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { taskStateQuery, type TaskState } from '../../src/contracts/dutyTask';
import { ValidationError } from '../../src/errors';
import { calendarStatus, replanProvisional } from '../../src/services/calendarReplan';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { ZONE } from '../../src/shared/zone';
import { eventually } from '../support/cli';
import { startStack, type Stack } from '../http/stack';

/**
 * Next year's holiday notice arrives while its tasks are open: tasks whose deadline moves are re-planned and their
 * assignees told once; tasks whose deadline stays are only marked certain; a refused file changes nothing.
 */

const ACTOR = { id: 'cli:test', via: 'cli' as const };
let stack: Stack;
let dir: string;
let holidays: string;
let year: number;
const previous = process.env.DUTY_HOLIDAYS_FILE;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duty-replan-'));
  holidays = path.join(dir, 'holidays.json');
  writeFileSync(holidays, '{}');
  process.env.DUTY_HOLIDAYS_FILE = holidays;
  year = DateTime.now().setZone(ZONE).year + 1;
  while (loadWorkCalendar().hasData(year)) year += 1;
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (previous === undefined) delete process.env.DUTY_HOLIDAYS_FILE;
  else process.env.DUTY_HOLIDAYS_FILE = previous;
  rmSync(dir, { recursive: true, force: true });
});

const state = (taskId: string): Promise<TaskState> => stack.client.workflow.getHandle(taskId).query(taskStateQuery);

test('holiday data for a provisional year re-plans its open tasks: a moved deadline is told once, an unchanged one silently', async () => {
  const [feb] = await stack.openPeriod('monthly-data-import', `${year}-02`);
  const [mar] = await stack.openPeriod('monthly-data-import', `${year}-03`);
  if (!feb || !mar) throw new Error('no tasks opened');
  const before = await state(feb);
  expect(before.provisional).toBe(true);
  const status = await calendarStatus(stack.services);
  expect(status.provisionalTasks.map((t) => t.taskId)).toEqual(expect.arrayContaining([feb, mar]));
  expect(status.years).toEqual([{ from: 2004, to: year - 1, source: 'chinese-days' }]);

  // The notice declares the February deadline day a holiday: the deadline moves to the next working day.
  const next = (() => {
    let d = DateTime.fromISO(before.dueOn, { zone: ZONE }).plus({ days: 1 });
    while (d.weekday > 5) d = d.plus({ days: 1 });
    return d.toISODate() ?? '';
  })();
  writeFileSync(holidays, JSON.stringify({ [year]: { holidays: [before.dueOn], workdays: [] } }));
  expect((await calendarStatus(stack.services)).years.at(-1)).toEqual({ from: year, to: year, source: holidays });
  const dry = await replanProvisional(stack.services, ACTOR, true);
  expect(dry.moved.map((m) => m.taskId)).toContain(feb);
  expect((await state(feb)).dueOn).toBe(before.dueOn);

  const outcome = await replanProvisional(stack.services, ACTOR);
  expect(outcome.moved).toContainEqual({ taskId: feb, fromDueOn: before.dueOn, toDueOn: next });
  expect(outcome.confirmed.map((c) => c.taskId)).toContain(mar);

  const moved = await eventually(
    () => state(feb),
    (s) => s.deliveries.some((d) => d.kind === 'deadlineChanged'),
  );
  expect(moved).toMatchObject({ dueOn: next, provisional: false });
  expect(moved.events.at(-1)).toMatchObject({ action: 'replanned', actor: 'system' });
  expect(moved.deliveries.filter((d) => d.kind === 'deadlineChanged').map((d) => d.personId)).toEqual([before.assignee.personId]);
  const confirmed = await state(mar);
  expect(confirmed.provisional).toBe(false);
  expect(confirmed.deliveries.filter((d) => d.kind === 'deadlineChanged')).toEqual([]);

  // Nothing is provisional any more, so a second run changes nothing.
  const again = await replanProvisional(stack.services, ACTOR);
  expect([...again.moved, ...again.confirmed].filter((r) => r.taskId === feb || r.taskId === mar)).toEqual([]);
});

test('a malformed holiday file is refused with its line and nothing is re-planned', async () => {
  const [apr] = await stack.openPeriod('monthly-data-import', `${year + 1}-04`);
  if (!apr) throw new Error('no task opened');
  writeFileSync(holidays, `{\n  "${year}": { "holidays": [], "workdays": [] },\n  "${year + 1}": { "holidays": ["${year + 1}-04-15", "${year + 1}-04-15"], "workdays": [] }\n}`);
  const refused = await replanProvisional(stack.services, ACTOR).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(ValidationError);
  expect((refused as ValidationError).issues).toMatchObject([{ file: holidays, line: 3, path: `${year + 1}.holidays[1]` }]);
  expect((await state(apr)).provisional).toBe(true);
});
