import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { OrgTree } from '../roster/orgTree';
import { HOUSEHOLD_WORKFLOW_TYPE, type HouseholdInput, type HouseholdState, householdStateQuery, householdWorkflowId, upsertHouseholdUpdate } from '../contracts/household';
import { type HouseholdMemo, type HouseholdRecord } from '../shared/household';
import { type LifecycleState, lifecycleStateQuery } from '../contracts/monitoringLifecycle';
import { type RevisitProgrammeState, revisitStateQuery } from '../contracts/revisitProgramme';
import { SA } from '../shared/searchAttributes';
import { visibilityQuery } from '../tasks/visibilityQuery';
import { idTag, recordDigest } from './digest';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export function householdInput(record: HouseholdRecord, by: string, tree?: OrgTree): HouseholdInput {
  const place = tree ? { unitPath: tree.unitPath(record.villageId), township: tree.township(record.villageId)?.id } : undefined;
  return { record, digest: recordDigest(record), idTag: idTag(record.idNumber), by, ...(place ? { place } : {}) };
}

/** Creates the household's workflow, or updates it when it exists and the record differs. Ids only in search attributes. */
export async function writeHousehold(client: Client, taskQueue: string, tree: OrgTree, record: HouseholdRecord, by: string): Promise<WriteOutcome> {
  const input = householdInput(record, by, tree);
  const workflowId = householdWorkflowId(record.householdId);
  try {
    await client.workflow.start(HOUSEHOLD_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { digest: input.digest, idTag: input.idTag } satisfies HouseholdMemo,
      typedSearchAttributes: [
        { key: SA.unit, value: record.villageId },
        { key: SA.unitPath, value: tree.unitPath(record.villageId) },
        ...(tree.township(record.villageId) ? [{ key: SA.township, value: tree.township(record.villageId)?.id ?? '' }] : []),
        { key: SA.status, value: 'monitored' },
      ],
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  try {
    await client.workflow.getHandle(workflowId).executeUpdate(upsertHouseholdUpdate, { args: [input] });
    return 'updated';
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'Unchanged') return 'unchanged';
    throw err;
  }
}

export interface HouseholdListing {
  householdId: string;
  villageId: string;
  status: string;
  memo: Partial<HouseholdMemo>;
}

/** Every household on record (or under a unit), from visibility: ids, status and the encrypted memo's fingerprints. */
export async function listHouseholds(client: Client, unitId?: string): Promise<HouseholdListing[]> {
  const running = visibilityQuery().workflowType(HOUSEHOLD_WORKFLOW_TYPE).running();
  const query = (unitId ? running.eq(SA.unitPath, unitId) : running).build();
  const out: HouseholdListing[] = [];
  for await (const info of client.workflow.list({ query })) {
    out.push({
      householdId: info.workflowId.slice('household:'.length),
      villageId: info.typedSearchAttributes.get(SA.unit) ?? '',
      status: info.typedSearchAttributes.get(SA.status) ?? '',
      memo: (info.memo ?? {}) as Partial<HouseholdMemo>,
    });
  }
  return out.sort((a, b) => a.householdId.localeCompare(b.householdId));
}

export async function householdState(client: Client, householdId: string): Promise<HouseholdState> {
  return client.workflow.getHandle(householdWorkflowId(householdId)).query(householdStateQuery);
}

export async function revisitState(client: Client, workflowId: string): Promise<RevisitProgrammeState> {
  return client.workflow.getHandle(workflowId).query(revisitStateQuery);
}

export async function lifecycleState(client: Client, workflowId: string): Promise<LifecycleState> {
  return client.workflow.getHandle(workflowId).query(lifecycleStateQuery);
}
