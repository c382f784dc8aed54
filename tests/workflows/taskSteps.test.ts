import {
  acknowledgeTaskUpdate,
  completeTaskUpdate,
  decideExtensionUpdate,
  reassignTaskUpdate,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewTaskUpdate,
  type TaskState,
} from '../../src/contracts/dutyTask';
import { addWorkingHours, parseOverrides, planDeadline, WorkCalendar } from '../../src/calendar';
import { reassignRequest } from '../../src/services/taskSteps';
import { SA } from '../../src/shared/searchAttributes';
import { villageReport } from '../fixtures/org';
import { deliveredTo, noticeRecorded, refusal, useTaskHarness } from '../support/taskHarness';
import { shanghai, sleepUntil } from '../support/timeSkipping';

/** A 2027 arrangement the way the State Council would publish it: 元旦, and a nine-day Spring Festival with one make-up Saturday. */
const calendar = WorkCalendar.withOverrides(
  parseOverrides(
    {
      2027: {
        holidays: ['2027-01-01', ...Array.from({ length: 9 }, (_, i) => `2027-02-${String(6 + i).padStart(2, '0')}`)],
        workdays: ['2027-02-20'],
      },
    },
    'test-2027.json',
  ),
);
const harness = useTaskHarness(calendar);
const { withTask, state, tree } = harness;
const env = () => harness.env();
const handleOf = (taskId: string) => env().client.workflow.getHandle(taskId);
const serverNow = async () => new Date(await env().currentTimeMs()).toISOString();

test('签收, 反馈, and an extension approved across the Spring Festival re-plans reminders and escalation with the calendar', async () => {
  await withTask('2027-01', async (input) => {
    const handle = handleOf(input.taskId);
    expect(input.occurrence.dueOn).toBe('2027-01-15');
    expect(input.occurrence.provisional).toBe(false);
    await sleepUntil(env(), '2027-01-11T10:00');

    await handle.executeUpdate(acknowledgeTaskUpdate, { args: [{ by: 'p-pine-1' }] });
    await handle.executeUpdate(acknowledgeTaskUpdate, { args: [{ by: 'p-pine-2' }] });
    await handle.executeUpdate(reportProgressUpdate, { args: [{ by: 'p-pine-2', note: '已走访 6 户', fields: { householdsVisited: '6' } }] });
    let s = await state(input.taskId);
    expect(s.acknowledged?.by).toBe('p-pine-1');
    expect(s.events.filter((e) => e.action === 'acknowledged')).toHaveLength(1);
    expect(s.progress).toMatchObject({ by: 'p-pine-2', note: '已走访 6 户', fields: { householdsVisited: 6 } });
    expect(s.flags).toEqual(['progress']);

    await handle.executeUpdate(requestExtensionUpdate, { args: [{ by: 'p-pine-1', dueOn: '2027-02-15', reason: '外出务工人员春节返乡后补访' }] });
    s = await state(input.taskId);
    expect(s.extension?.pending).toMatchObject({ by: 'p-pine-1', dueOn: '2027-02-15' });
    expect(s.flags).toContain('extensionRequested');

    const own = await refusal(handle.executeUpdate(decideExtensionUpdate, { args: [{ by: 'p-pine-1', approve: false, reason: '不批' }] }));
    expect(own.type).toBe('NotAllowed');
    const plan = planDeadline(villageReport, '2027-02-15', calendar, await serverNow());
    // One working day before Monday 15 February is Friday 5 February: the nine days between are the holiday.
    expect(plan.reminders).toEqual([shanghai('2027-02-03T09:00'), shanghai('2027-02-05T09:00'), shanghai('2027-02-15T09:00')]);
    const tooLate = planDeadline(villageReport, '2027-02-16', calendar, await serverNow());
    expect((await refusal(handle.executeUpdate(decideExtensionUpdate, { args: [{ by: 'p-east-sup', approve: true, plan: tooLate }] }))).message).toContain('不能晚于申请的 2027-02-15');
    await handle.executeUpdate(decideExtensionUpdate, { args: [{ by: 'p-east-sup', approve: true, plan }] });

    s = await state(input.taskId);
    expect(s).toMatchObject({ dueOn: '2027-02-15', dueAt: shanghai('2027-02-15T18:00'), status: 'open' });
    expect(s.extension).toMatchObject({ originalDueOn: '2027-01-15', granted: 1, lastDecision: { by: 'p-east-sup', approved: true, dueOn: '2027-02-15' } });
    expect(s.flags).toEqual(['progress', 'extended']);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(SA.dueAt)?.toISOString()).toBe(new Date(plan.dueAt).toISOString());

    await sleepUntil(env(), '2027-01-18T10:00');
    s = await state(input.taskId);
    expect(s.status).toBe('open');
    expect(deliveredTo(s, 'reminder')).toEqual([]);
    expect(deliveredTo(s, 'overdue')).toEqual([]);

    await sleepUntil(env(), '2027-02-15T18:30');
    s = await state(input.taskId);
    expect(deliveredTo(s, 'reminder')).toEqual(plan.reminders.map((at) => `p-pine-1@${at}`));
    expect(s.status).toBe('overdue');
    expect(deliveredTo(s, 'overdue')).toEqual([`p-pine-1@${shanghai('2027-02-15T18:00')}`, `p-east-sup@${shanghai('2027-02-15T18:00')}`]);
    // Each notice id is new in the re-planned round, so the send ledger cannot mistake it for the first round's.
    expect(s.deliveries.filter((d) => d.kind === 'reminder').every((d) => d.notificationId.includes('/r1-'))).toBe(true);
    expect(deliveredTo(s, 'extensionRequested').map((d) => d.split('@')[0])).toEqual(['p-east-sup']);
    expect(deliveredTo(s, 'extensionApproved').map((d) => d.split('@')[0])).toEqual(['p-pine-1']);
  });
});

test('with review on, a completion waits as 待审核 (no overdue notices), a return reopens it, a second completion is accepted', async () => {
  await withTask(
    '2027-03',
    async (input) => {
      const handle = handleOf(input.taskId);
      await sleepUntil(env(), '2027-03-10T10:00');
      await handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', note: '已报送', fields: { householdsVisited: 12 } }] });
      let s = await noticeRecorded(harness, input.taskId, 'reviewRequested');
      expect(s.status).toBe('review');
      expect(deliveredTo(s, 'reviewRequested').map((d) => d.split('@')[0])).toEqual(['p-east-sup']);

      await sleepUntil(env(), '2027-03-16T10:00');
      s = await state(input.taskId);
      expect(s.status).toBe('review');
      expect(deliveredTo(s, 'overdue')).toEqual([]);

      expect((await refusal(handle.executeUpdate(reviewTaskUpdate, { args: [{ by: 'p-pine-1', accept: true }] }))).type).toBe('NotAllowed');
      expect((await refusal(handle.executeUpdate(reviewTaskUpdate, { args: [{ by: 'p-east-sup', accept: false, reason: '' }] }))).message).toContain('退回原因不能为空');
      expect((await refusal(handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-2', fields: { householdsVisited: 1 } }] }))).type).toBe('TaskInReview');

      await handle.executeUpdate(reviewTaskUpdate, { args: [{ by: 'p-east-sup', accept: false, reason: '走访户数与台账不符' }] });
      s = await noticeRecorded(harness, input.taskId, 'returned');
      expect(s.status).toBe('overdue');
      expect(s.completion).toBeUndefined();
      expect(s.returned).toMatchObject([{ by: 'p-pine-1', returnedBy: 'p-east-sup', reason: '走访户数与台账不符', fields: { householdsVisited: 12 } }]);
      expect(s.flags).toContain('returned');
      expect(deliveredTo(s, 'returned').map((d) => d.split('@')[0])).toEqual(['p-pine-1']);

      // The deadline was kept and has passed: follow-ups go on from the return, with new ids.
      await sleepUntil(env(), '2027-03-17T09:30');
      s = await state(input.taskId);
      const repeats = s.deliveries.filter((d) => d.kind === 'repeat');
      expect(repeats.map((d) => `${d.personId}@${d.plannedAt}`)).toEqual([`p-pine-1@${shanghai('2027-03-17T09:00')}`, `p-east-sup@${shanghai('2027-03-17T09:00')}`]);
      expect(repeats.every((d) => d.notificationId.includes('/r1-'))).toBe(true);

      await handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', note: '已按台账更正', fields: { householdsVisited: 11 } }] });
      await noticeRecorded(harness, input.taskId, 'reviewRequested', 2);
      await handle.executeUpdate(reviewTaskUpdate, { args: [{ by: 'p-east-sup', accept: true }] });
      const final: TaskState = await handle.result();
      expect(final.status).toBe('done');
      expect(final.review?.by).toBe('p-east-sup');
      expect(final.completion?.fields).toEqual({ householdsVisited: 11 });
      expect(final.events.map((e) => e.action)).toEqual(expect.arrayContaining(['submitted', 'returned', 'accepted']));
    },
    { ...villageReport, review: 'supervisor' },
  );
});

test('转办 moves the task: the new holder is told and reminded, the old one is told once, the listing follows', async () => {
  await withTask('2027-04', async (input) => {
    const handle = handleOf(input.taskId);
    await sleepUntil(env(), '2027-04-01T10:00');
    expect((await refusal(handle.executeUpdate(reassignTaskUpdate, { args: [reassignRequest(tree, 'p-east-sup', 'p-pine-1', '调整分工')] }))).type).toBe('InvalidReassign');
    expect((await refusal(handle.executeUpdate(reassignTaskUpdate, { args: [reassignRequest(tree, 'p-east-sup', 'p-pine-2', ' ')] }))).message).toContain('转办原因不能为空');

    await handle.executeUpdate(reassignTaskUpdate, { args: [reassignRequest(tree, 'p-east-sup', 'p-pine-2', '戊同志病假')] });
    await noticeRecorded(harness, input.taskId, 'handedOver');
    let s = await noticeRecorded(harness, input.taskId, 'reassigned');
    expect(s.assignee).toEqual({ personId: 'p-pine-2', unitId: 'v-pine' });
    expect(s.previousAssignees).toMatchObject([{ personId: 'p-pine-1', by: 'p-east-sup', reason: '戊同志病假' }]);
    expect(deliveredTo(s, 'handedOver').map((d) => d.split('@')[0])).toEqual(['p-pine-1']);
    expect(deliveredTo(s, 'reassigned').map((d) => d.split('@')[0])).toEqual(['p-pine-2']);
    expect((await handle.describe()).typedSearchAttributes.get(SA.assignee)).toBe('p-pine-2');

    await sleepUntil(env(), '2027-04-12T09:30');
    s = await state(input.taskId);
    expect(deliveredTo(s, 'reminder')).toEqual([`p-pine-2@${shanghai('2027-04-12T09:00')}`]);
  });
});

test('bad step input is refused with a clear message and writes nothing', async () => {
  await withTask('2027-05', async (input) => {
    const handle = handleOf(input.taskId);
    await sleepUntil(env(), '2027-05-06T10:00');
    const before = await state(input.taskId);
    const ask = (dueOn: string, reason: string, by = 'p-pine-1') => refusal(handle.executeUpdate(requestExtensionUpdate, { args: [{ by, dueOn, reason }] }));
    expect((await ask('2027-05-10', '来不及')).message).toContain('须晚于当前截止日 2027-05-17');
    expect((await ask('2027-02-30', '来不及')).message).toContain('有效日期');
    expect((await ask('2027-06-01', '')).message).toContain('延期原因不能为空');
    expect((await ask('2027-06-01', '长'.repeat(10_000))).message).toContain('最多 500 字,收到 10000 字');
    expect((await ask('2027-06-01', '来不及', 'p-edu')).type).toBe('NotAllowed');
    expect((await refusal(handle.executeUpdate(reportProgressUpdate, { args: [{ by: 'p-pine-1', note: ' ' }] }))).message).toContain('进展情况(note)不能为空');
    expect((await refusal(handle.executeUpdate(decideExtensionUpdate, { args: [{ by: 'p-east-sup', approve: false, reason: '不批' }] }))).message).toContain('没有待审批的延期申请');
    expect((await refusal(handle.executeUpdate(reviewTaskUpdate, { args: [{ by: 'p-east-sup', accept: true }] }))).message).toContain('没有待审核的办结登记');
    expect(await state(input.taskId)).toEqual(before);
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  });
});

test('a task nobody signs for within the working hours its duty sets is reported to the supervisor once', async () => {
  await withTask(
    '2027-06',
    async (input) => {
      const opened = (await state(input.taskId)).events[0]?.at ?? '';
      const due = addWorkingHours(opened, 4, calendar);
      await env().sleep(Date.parse(due) - (await env().currentTimeMs()) + 30 * 60_000);
      let s = await state(input.taskId);
      const reported = s.deliveries.filter((d) => d.kind === 'unacknowledged');
      expect(reported.map((d) => d.personId)).toEqual(['p-east-sup']);
      // Sent when the window closed, not before and not a working hour later.
      expect(Date.parse(reported[0]?.plannedAt ?? '') - Date.parse(due)).toBeGreaterThanOrEqual(0);
      expect(Date.parse(reported[0]?.plannedAt ?? '') - Date.parse(due)).toBeLessThan(60_000);
      expect(s.events.filter((e) => e.action === 'unacknowledged')).toHaveLength(1);
      await env().sleep('3 days');
      s = await state(input.taskId);
      expect(deliveredTo(s, 'unacknowledged')).toHaveLength(1);
    },
    { ...villageReport, acknowledge: { withinWorkingHours: 4 } },
  );
});
