import type { TaskInput } from '../../src/contracts/dutyTask';
import { withHeralds } from '../../src/tasks/heralds';
import { syntheticTask } from '../../bench/lib/tasks';
import { countyRoster } from '../../bench/lib/roster';
import { OrgTree } from '../../src/roster/orgTree';

const tree = new OrgTree(countyRoster());
const at = new Date('2027-03-10T01:00:00Z');
const task = (unitId: string, extra: Partial<TaskInput> = {}): TaskInput => ({
  ...syntheticTask(tree, { dutyId: 'd', period: 'p', unitId, reminders: [at], dueAt: new Date('2027-03-15T09:30:00Z') }),
  ...extra,
});

test('one herald per occurrence; programme tasks and tasks under an emergency keep their own timeline', () => {
  const [a, b, owned, suspended] = withHeralds([
    task('v-001'),
    task('v-002'),
    task('v-003', { parent: 'revisit:h1:2027-01-01' }),
    task('v-004', { suspensions: [{ emergencyId: 'e1', fromAt: '2027-03-01T00:00:00Z', untilAt: '2027-03-20T00:00:00Z', reason: '防汛' }] }),
  ]);
  expect(a?.herald).toBe('notices:d:p:20270315T1730');
  expect(b?.herald).toBe(a?.herald);
  expect(owned?.herald).toBeUndefined();
  expect(suspended?.herald).toBeUndefined();
});

test('an opening of more than 10,000 tasks gets one herald per township, so no herald outgrows a payload', () => {
  const plan = Array.from({ length: 10_001 }, (_, i) => task(`v-${String((i % 200) + 1).padStart(3, '0')}`));
  const heralds = new Set(withHeralds(plan).map((t) => t.herald));
  expect(heralds.size).toBe(15);
  expect([...heralds].every((h) => /^notices:d:p:20270315T1730:t-\d\d$/.test(h ?? ''))).toBe(true);
});
