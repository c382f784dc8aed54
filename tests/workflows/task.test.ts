import { completeTaskUpdate, type TaskState, waiveTaskUpdate } from '../../src/contracts/dutyTask';
import { villageReport } from '../fixtures/org';
import { deliveredTo, refusal, useTaskHarness } from '../support/taskHarness';
import { shanghai, sleepUntil } from '../support/timeSkipping';

const harness = useTaskHarness();
const { withTask, state } = harness;
const env = () => harness.env();

test('a task reminds, turns overdue, escalates to level 1 then 2, and completion stops everything', async () => {
  await withTask('2027-03', async (input, channel) => {
    expect(input.occurrence.dueAt).toBe(shanghai('2027-03-15T18:00'));
    expect(input.occurrence.provisional).toBe(true);

    await sleepUntil(env(), '2027-03-12T10:00');
    let s = await state(input.taskId);
    expect(s.status).toBe('open');
    expect(deliveredTo(s, 'reminder')).toEqual([`p-pine-1@${shanghai('2027-03-10T09:00')}`, `p-pine-1@${shanghai('2027-03-12T09:00')}`]);

    await sleepUntil(env(), '2027-03-15T18:30');
    s = await state(input.taskId);
    expect(s.status).toBe('overdue');
    expect(s.escalationLevel).toBe(1);
    expect(deliveredTo(s, 'reminder')).toHaveLength(3);
    expect(deliveredTo(s, 'overdue')).toEqual([`p-pine-1@${shanghai('2027-03-15T18:00')}`, `p-east-sup@${shanghai('2027-03-15T18:00')}`]);

    await sleepUntil(env(), '2027-03-18T09:30');
    s = await state(input.taskId);
    expect(s.escalationLevel).toBe(2);
    expect(deliveredTo(s, 'repeat')).toEqual([`p-pine-1@${shanghai('2027-03-17T09:00')}`, `p-east-sup@${shanghai('2027-03-17T09:00')}`]);
    expect(deliveredTo(s, 'escalation')).toEqual([`p-pine-1@${shanghai('2027-03-18T09:00')}`, `p-bureau-sup@${shanghai('2027-03-18T09:00')}`]);
    const subjects = channel.sent.map((m) => m.subject);
    expect(subjects[0]).toBe('【待办提醒】村级月度报表(2027-03) 截止 2027-03-15(暂定,节假日安排未公布)');
    expect(subjects).toContain('【二级督办·逾期3天】村级月度报表(2027-03) 原定截止 2027-03-15(暂定,节假日安排未公布)');

    const handle = env().client.workflow.getHandle(input.taskId);
    await handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-2', note: '已报送', fields: { householdsVisited: '12' } }] });
    const final: TaskState = await handle.result();
    expect(final.status).toBe('done');
    expect(final.completion).toMatchObject({ by: 'p-pine-2', note: '已报送', fields: { householdsVisited: 12 } });
    const sentBefore = channel.sent.length;
    await env().sleep('10 days');
    expect(channel.sent).toHaveLength(sentBefore);
    expect(final.deliveries).toHaveLength(sentBefore);
  });
});

test('a refused completion (wrong person, missing or bad field) changes nothing', async () => {
  await withTask('2027-04', async (input) => {
    const handle = env().client.workflow.getHandle(input.taskId);
    const before = await state(input.taskId);

    const outsider = await refusal(handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-edu', fields: { householdsVisited: 3 } }] }));
    expect(outsider.type).toBe('NotAllowed');
    expect(outsider.message).toContain('p-edu 无权完成此任务');

    const missing = await refusal(handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', fields: {} }] }));
    expect(missing.type).toBe('InvalidCompletion');
    expect(missing.message).toContain('缺少必填项 走访户数(householdsVisited)');

    const negative = await refusal(handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', fields: { householdsVisited: '-2' } }] }));
    expect(negative.message).toContain('不能小于 0');

    expect(await state(input.taskId)).toEqual(before);
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  });
});

test('an administrator waives a task with a reason; nobody else can', async () => {
  await withTask('2027-05', async (input) => {
    const handle = env().client.workflow.getHandle(input.taskId);
    const notAdmin = await refusal(handle.executeUpdate(waiveTaskUpdate, { args: [{ by: 'p-east-sup', reason: '不适用' }] }));
    expect(notAdmin.type).toBe('NotAllowed');
    const noReason = await refusal(handle.executeUpdate(waiveTaskUpdate, { args: [{ by: 'p-admin', reason: ' ' }] }));
    expect(noReason.type).toBe('InvalidWaiver');

    await handle.executeUpdate(waiveTaskUpdate, { args: [{ by: 'p-admin', reason: '该村本月已合并报送' }] });
    const final: TaskState = await handle.result();
    expect(final.status).toBe('waived');
    expect(final.waiver).toMatchObject({ by: 'p-admin', reason: '该村本月已合并报送' });
    expect(final.events.map((e) => e.action)).toEqual(['opened', 'waived']);
  });
});

test('a notice held back by quiet hours is dropped when the task is completed first', async () => {
  const lateDeadline = { ...villageReport, dueTime: '20:00' };
  await withTask(
    '2027-06',
    async (input, channel) => {
      expect(input.occurrence.dueAt).toBe(shanghai('2027-06-15T20:00'));
      await sleepUntil(env(), '2027-06-15T20:30');
      const s = await state(input.taskId);
      expect(s.status).toBe('overdue');
      expect(deliveredTo(s, 'overdue')).toEqual([]);

      const handle = env().client.workflow.getHandle(input.taskId);
      await handle.executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', fields: { householdsVisited: 5 } }] });
      const final: TaskState = await handle.result();
      expect(final.status).toBe('done');
      expect(final.deliveries.map((d) => d.kind)).toEqual(['reminder', 'reminder', 'reminder']);
      expect(channel.sent.map((m) => m.subject.slice(0, 6))).toEqual(['【待办提醒】', '【待办提醒】', '【待办提醒】']);
    },
    lateDeadline,
  );
});
