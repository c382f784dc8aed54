import { quoteValue, visibilityQuery } from '../../src/tasks/visibilityQuery';
import { taskQuery, taskQueryBuilder } from '../../src/tasks/query';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { HOUSEHOLD_WORKFLOW_TYPE } from '../../src/contracts/household';
import { SA } from '../../src/shared/searchAttributes';

describe('quoteValue', () => {
  test('wraps a plain value in single quotes', () => {
    expect(quoteValue('v-pine')).toBe("'v-pine'");
  });

  test('doubles a quote inside the value, so it cannot end the string', () => {
    expect(quoteValue("t-east' OR 1=1")).toBe("'t-east'' OR 1=1'");
    expect(quoteValue("O'Brien")).toBe("'O''Brien'");
  });

  test('doubles a backslash, so it cannot escape the closing quote', () => {
    expect(quoteValue('a\\b')).toBe("'a\\\\b'");
    expect(quoteValue("x\\'")).toBe("'x\\\\'''");
  });

  test('writes a date as its ISO instant', () => {
    expect(quoteValue(new Date('2026-03-20T15:59:59.999Z'))).toBe("'2026-03-20T15:59:59.999Z'");
  });

  test('leaves other characters (Chinese, slashes, #) as they are', () => {
    expect(quoteValue('h-001/2026-03-01#2')).toBe("'h-001/2026-03-01#2'");
    expect(quoteValue('松村')).toBe("'松村'");
  });
});

describe('visibilityQuery', () => {
  test('a cycle roll-up: type, duty, period and a subtree', () => {
    expect(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.dutyId, 'village-report').eq(SA.period, '2026-03').eq(SA.unitPath, 't-east').build()).toBe(
      "WorkflowType = 'dutyTask' AND DutyId = 'village-report' AND DutyPeriod = '2026-03' AND DutyUnitPath = 't-east'",
    );
  });

  test('a year of periods: IN with the values comma-separated', () => {
    expect(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq('DutyId', 'income').in('DutyPeriod', ['2026-Q1', '2026-Q2']).build()).toBe(
      "WorkflowType = 'dutyTask' AND DutyId = 'income' AND DutyPeriod IN ('2026-Q1', '2026-Q2')",
    );
  });

  test('running households under a unit', () => {
    expect(visibilityQuery().workflowType(HOUSEHOLD_WORKFLOW_TYPE).running().eq(SA.unitPath, 'v-pine').build()).toBe(
      `WorkflowType = '${HOUSEHOLD_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND DutyUnitPath = 'v-pine'`,
    );
  });

  test('a task queue, a deadline before an instant, and GROUP BY for counts', () => {
    const q = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).taskQueue('unpolled').lt(SA.dueAt, new Date('2026-03-20T00:00:00.000Z'));
    expect(q.build()).toBe("WorkflowType = 'dutyTask' AND TaskQueue = 'unpolled' AND DutyDueAt < '2026-03-20T00:00:00.000Z'");
    expect(q.groupBy(SA.township).build()).toBe(`${q.build()} GROUP BY DutyTownship`);
    expect(visibilityQuery().build()).toBe('');
  });

  test('quotes every value it is given, IN lists included', () => {
    expect(visibilityQuery().eq(SA.dutyId, "it's").in(SA.period, ["a'", 'b\\']).build()).toBe("DutyId = 'it''s' AND DutyPeriod IN ('a''', 'b\\\\')");
  });

  test('a builder never changes: a shared base can be narrowed two ways', () => {
    const base = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE);
    const a = base.eq(SA.township, 't-east');
    const b = base.eq(SA.township, 't-west');
    expect(base.build()).toBe("WorkflowType = 'dutyTask'");
    expect(a.build()).toBe("WorkflowType = 'dutyTask' AND DutyTownship = 't-east'");
    expect(`${b}`).toBe("WorkflowType = 'dutyTask' AND DutyTownship = 't-west'");
  });

  test('the dashboard: any of several units, still open at an instant, or due since a day', () => {
    const scope = visibilityQuery().anyOf(taskQueryBuilder({ unit: 't-east' }), visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.unitPath, "t-o'west"));
    const at = new Date('2026-03-20T15:59:59.999Z');
    expect(scope.lt(SA.dueAt, at).anyOf(visibilityQuery().running(), visibilityQuery().gt('CloseTime', at)).build()).toBe(
      "((WorkflowType = 'dutyTask' AND DutyUnitPath = 't-east') OR (WorkflowType = 'dutyTask' AND DutyUnitPath = 't-o''west')) AND DutyDueAt < '2026-03-20T15:59:59.999Z' AND ((ExecutionStatus = 'Running') OR (CloseTime > '2026-03-20T15:59:59.999Z'))",
    );
    expect(visibilityQuery().anyOf(visibilityQuery().gte(SA.dueAt, at)).build()).toBe("(DutyDueAt >= '2026-03-20T15:59:59.999Z')");
    expect(() => visibilityQuery().anyOf()).toThrow(RangeError);
  });

  test('closed executions, for a CloseTime comparison that must not match running ones; != quotes like =', () => {
    const at = new Date('2026-03-20T15:59:59.999Z');
    expect(visibilityQuery().closed().gt('CloseTime', at).build()).toBe("ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew' AND CloseTime > '2026-03-20T15:59:59.999Z'");
    expect(visibilityQuery().neq(SA.status, "it's").build()).toBe("DutyStatus != 'it''s'");
  });

  test('refuses an empty IN list and a name that is not an identifier', () => {
    expect(() => visibilityQuery().in(SA.period, [])).toThrow('at least one value');
    expect(() => visibilityQuery().eq("DutyId = 'x' OR WorkflowType", 'y')).toThrow('not a search attribute name');
  });
});

describe('taskQuery goes through the builder', () => {
  test('same text as before for every filter field', () => {
    expect(
      taskQuery({ assignee: 'p-pine-1', unit: 't-east', dutyId: 'village-report', period: '2026-03', statuses: ['open', 'overdue'], dueBefore: new Date('2026-03-20T15:59:59.999Z') }),
    ).toBe(
      "WorkflowType = 'dutyTask' AND DutyAssignee = 'p-pine-1' AND DutyUnitPath = 't-east' AND DutyId = 'village-report' AND DutyPeriod = '2026-03' AND DutyStatus IN ('open', 'overdue') AND DutyDueAt < '2026-03-20T15:59:59.999Z'",
    );
    expect(taskQuery({})).toBe("WorkflowType = 'dutyTask'");
  });

  test('the builder form can be narrowed further', () => {
    expect(taskQueryBuilder({ statuses: ['open'] }).eq(SA.township, 't-east').build()).toBe("WorkflowType = 'dutyTask' AND DutyStatus IN ('open') AND DutyTownship = 't-east'");
  });
});
