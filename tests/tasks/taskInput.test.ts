import { OrgTree } from '../../src/roster/orgTree';
import { taskInputFor } from '../../src/tasks/taskInput';
import type { Duty, Occurrence } from '../../src/shared/types';
import { roster, villageReport } from '../fixtures/org';

const tree = new OrgTree(roster);

const occurrence: Occurrence = {
  dutyId: villageReport.id,
  period: '2026-03',
  periodStart: '2026-03-01',
  periodEnd: '2026-03-31',
  opensOn: '2026-03-01',
  opensAt: '2026-03-01T07:00:00.000+08:00',
  nominalDueOn: '2026-03-15',
  dueOn: '2026-03-16',
  dueAt: '2026-03-16T18:00:00.000+08:00',
  reminders: [],
  provisional: false,
};

const pine = { personId: 'p-pine-1', unitId: 'v-pine' };

test('a unit task: id ends with the unit, roster facts filled in, no parent', () => {
  expect(taskInputFor(villageReport, occurrence, pine, tree)).toStrictEqual({
    taskId: 'task:village-report:2026-03:v-pine',
    duty: { id: 'village-report', title: '村级月度报表', completion: villageReport.completion, escalation: villageReport.escalation, sendAt: '09:00', urgent: false },
    occurrence,
    assignee: pine,
    unitName: '松村',
    unitPath: ['bureau', 't-east', 'v-pine'],
    township: 't-east',
    completers: ['p-pine-1', 'p-pine-2', 'p-admin'],
    admins: ['p-admin'],
  });
});

test('a person task ends with the person; a phase brings its own id part and completion form', () => {
  const phased: Duty = {
    ...villageReport,
    assignTo: { ...villageReport.assignTo, per: 'person' },
    phases: [{ id: 'summary', title: '总结', deadline: { day: 15 }, completion: { note: 'required', fields: [] } }],
  };
  const input = taskInputFor(phased, { ...occurrence, phase: 'summary', phaseTitle: '总结' }, pine, tree);
  expect(input.taskId).toBe('task:village-report:2026-03:summary:p-pine-1');
  expect(input.duty.completion).toEqual({ note: 'required', fields: [] });
});

test('a planner that makes one task per unit can say so, and a parent is passed through', () => {
  const perPerson: Duty = { ...villageReport, assignTo: { ...villageReport.assignTo, per: 'person' } };
  const input = taskInputFor(perPerson, occurrence, pine, tree, { per: 'unit', parent: 'revisit:h-1' });
  expect(input.taskId).toBe('task:village-report:2026-03:v-pine');
  expect(input.parent).toBe('revisit:h-1');
});
