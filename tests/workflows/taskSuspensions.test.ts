import { liftSuspensionUpdate, suspendTaskUpdate, type DeadlinePlan, type TaskState } from '../../src/contracts/dutyTask';
import { planDeadline } from '../../src/calendar';
import { villageReport } from '../fixtures/org';
import { deliveredTo, noticeRecorded, useTaskHarness } from '../support/taskHarness';
import { shanghai, sleepUntil } from '../support/timeSkipping';

/**
 * An emergency window over a task's unit: nothing is sent inside it, the deadline inside it moves by the working days
 * it covers and is told once when it ends; lifting the emergency puts the deadline back.
 */

const harness = useTaskHarness();
const { withTask, state, calendar } = harness;
const env = () => harness.env();

/** What the service plans for a deadline inside a window covering `covered` working days. */
function moved(dueOn: string, covered: number, fromAt: string): { before: DeadlinePlan; plan: DeadlinePlan } {
  const before = planDeadline(villageReport, dueOn, calendar, new Date(0).toISOString());
  const after = planDeadline(villageReport, calendar.addWorkingDays(dueOn, covered).date, calendar, new Date(0).toISOString());
  return { before, plan: { ...after, reminders: [...before.reminders.filter((at) => at < fromAt), ...after.reminders.filter((at) => at >= fromAt)] } };
}

test('inside the window nothing is sent; the deadline moves by the working days covered and is told once after it', async () => {
  await withTask('2027-07', async (input) => {
    const handle = env().client.workflow.getHandle(input.taskId);
    await sleepUntil(env(), '2027-07-01T10:00');
    const fromAt = shanghai('2027-07-13T00:00');
    const untilAt = shanghai('2027-07-17T00:00');
    // 13 to 16 July: four working days; the 15th's deadline moves four working days on, to Wednesday the 21st.
    const { before, plan } = moved('2027-07-15', 4, fromAt);
    expect(plan.dueOn).toBe('2027-07-21');
    await handle.executeUpdate(suspendTaskUpdate, { args: [{ by: 'system', suspension: { emergencyId: 'em-1', fromAt, untilAt, reason: '洞庭湖汛期防汛', plan, before } }] });

    await sleepUntil(env(), '2027-07-14T10:00');
    let s: TaskState = await state(input.taskId);
    expect(s.flags).toContain('suspended');
    await sleepUntil(env(), '2027-07-22T10:00');
    s = await noticeRecorded(harness, input.taskId, 'deadlineChanged');
    expect(s.deliveries.filter((d) => d.kind === 'reminder' && d.result === 'sent').map((d) => `${d.personId}@${d.plannedAt}`)).toEqual([`p-pine-1@${shanghai('2027-07-12T09:00')}`, `p-pine-1@${shanghai('2027-07-20T09:00')}`, `p-pine-1@${shanghai('2027-07-21T09:00')}`]);
    // The reminder three working days before the new deadline fell inside the window: held back, and recorded.
    expect(s.deliveries.filter((d) => d.result === 'suspended').map((d) => d.plannedAt)).toEqual([shanghai('2027-07-16T09:00')]);
    expect(s.deliveries.filter((d) => d.kind === 'deadlineChanged').map((d) => d.personId)).toEqual(['p-pine-1']);
    expect(s).toMatchObject({ dueOn: '2027-07-21', status: 'overdue' });
    expect(s.flags).not.toContain('suspended');
    expect(deliveredTo(s, 'overdue')).toEqual([`p-pine-1@${shanghai('2027-07-21T18:00')}`, `p-east-sup@${shanghai('2027-07-21T18:00')}`]);
  });
});

test('lifting the emergency restores the deadline and tells the assignee', async () => {
  await withTask('2027-08', async (input) => {
    const handle = env().client.workflow.getHandle(input.taskId);
    await sleepUntil(env(), '2027-08-02T10:00');
    const fromAt = shanghai('2027-08-12T00:00');
    const { before, plan } = moved('2027-08-16', 2, fromAt);
    await handle.executeUpdate(suspendTaskUpdate, { args: [{ by: 'system', suspension: { emergencyId: 'em-2', fromAt, untilAt: shanghai('2027-08-17T00:00'), reason: '台风', plan, before } }] });
    expect((await state(input.taskId)).dueOn).toBe(plan.dueOn);
    await handle.executeUpdate(liftSuspensionUpdate, { args: [{ by: 'system', emergencyId: 'em-2' }] });
    const s = await noticeRecorded(harness, input.taskId, 'deadlineChanged');
    expect(s).toMatchObject({ dueOn: '2027-08-16', suspensions: [] });
    expect(s.events.map((e) => e.action)).toEqual(expect.arrayContaining(['suspended', 'resumed']));
  });
});
