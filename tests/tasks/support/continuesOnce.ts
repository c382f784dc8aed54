import { condition, continueAsNew, upsertSearchAttributes } from '@temporalio/workflow';
import { SA } from '../../../src/shared/searchAttributes';

/** Stands in for a long-overdue task: it publishes its search attributes, continues as new once, then sleeps. */
export async function dutyTask(unitId: string, continued = false): Promise<void> {
  upsertSearchAttributes([
    { key: SA.status, value: 'overdue' },
    { key: SA.unit, value: unitId },
    { key: SA.unitPath, value: [unitId] },
    { key: SA.dutyId, value: 'continued' },
    { key: SA.dueAt, value: new Date('2026-01-15T09:00:00Z') },
  ]);
  if (!continued) await continueAsNew<typeof dutyTask>(unitId, true);
  await condition(() => false);
}
