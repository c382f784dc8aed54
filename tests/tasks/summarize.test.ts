import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { SA, type TaskStatus } from '../../src/shared/searchAttributes';
import { stateName } from '../../src/shared/taskStates';
import { summarize, taskQuery } from '../../src/tasks/query';

/**
 * `summarize` reads what the task workflow publishes: search attributes for what lists filter on, the memo for what
 * they show. A listing row is built here from the same parts visibility hands back.
 */
const DUE_AT = new Date('2026-03-25T10:00:00.000Z');

function listed(status: TaskStatus, extra: SearchAttributePair[] = [], memo?: Record<string, unknown>) {
  const pairs: SearchAttributePair[] = [
    { key: SA.dutyId, value: 'village-report' },
    { key: SA.period, value: '2026-03' },
    { key: SA.assignee, value: 'p-pine-1' },
    { key: SA.unit, value: 'v-pine' },
    { key: SA.township, value: 't-east' },
    { key: SA.unitPath, value: ['bureau', 't-east', 'v-pine'] },
    { key: SA.status, value: status },
    { key: SA.dueAt, value: DUE_AT },
    { key: SA.escalationLevel, value: 1 },
    { key: SA.provisional, value: false },
    ...extra,
  ];
  return { workflowId: 'task:village-report:2026-03:v-pine', typedSearchAttributes: new TypedSearchAttributes(pairs), memo };
}

test('a task opened before the 督办 steps has no flags, no extensions, no returns and no progress', () => {
  const t = summarize(listed('overdue', [], { dutyTitle: '村级月度报表', dueOn: '2026-03-25' }));
  expect(t).toMatchObject({ status: 'overdue', dueOn: '2026-03-25', dueAt: DUE_AT, flags: [], extensions: 0, returns: 0 });
  expect(t.latestProgress).toBeUndefined();
  expect(t.originalDueOn).toBeUndefined();
  expect(summarize(listed('open'))).toMatchObject({ dutyTitle: 'village-report', dueOn: '', flags: [], extensions: 0, returns: 0 });
});

test('an extended, returned task with a progress note: flags from DutyFlags, counts and notes from the memo', () => {
  const t = summarize(
    listed('open', [{ key: SA.flags, value: ['progress', 'extended', 'returned'] }], {
      dutyTitle: '村级月度报表',
      dueOn: '2026-03-25',
      originalDueOn: '2026-03-16',
      extensions: 1,
      returns: 2,
      progress: { at: '2026-03-18T02:00:00.000Z', note: '已走访 12 户,余下周三前完成' },
    }),
  );
  expect(t).toMatchObject({
    status: 'open',
    flags: ['progress', 'extended', 'returned'],
    dueOn: '2026-03-25',
    originalDueOn: '2026-03-16',
    extensions: 1,
    returns: 2,
    latestProgress: { at: '2026-03-18T02:00:00.000Z', note: '已走访 12 户,余下周三前完成' },
  });
  expect(stateName(t.status, t.flags)).toBe('待办·进行中·延期中·已退回');
});

test('review is read as its own status, and its flags are not shown beside 待审核', () => {
  const t = summarize(listed('review', [{ key: SA.flags, value: ['extended'] }], { extensions: 1, originalDueOn: '2026-03-16' }));
  expect(t).toMatchObject({ status: 'review', flags: ['extended'], extensions: 1 });
  expect(stateName(t.status, t.flags)).toBe('待审核');
});

test('a flag this version does not know is left out rather than shown without a name', () => {
  expect(summarize(listed('open', [{ key: SA.flags, value: ['unacknowledged', 'escalatedToMayor'] }])).flags).toEqual(['unacknowledged']);
});

test('the flag filter is DutyFlags IN (…), which matches a task carrying any of them', () => {
  expect(taskQuery({ unit: 't-east', flags: ['extended', 'returned'] })).toBe("WorkflowType = 'dutyTask' AND DutyUnitPath = 't-east' AND DutyFlags IN ('extended', 'returned')");
  expect(taskQuery({ statuses: ['review'], flags: [] })).toBe("WorkflowType = 'dutyTask' AND DutyStatus IN ('review')");
});
