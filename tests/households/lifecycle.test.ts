import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { householdInput, householdState, lifecycleState, revisitState } from '../../src/households/client';
import { householdWorkflowId, riskFoundUpdate } from '../../src/contracts/household';
import { lifecycleWorkflowId, type LifecycleState } from '../../src/contracts/monitoringLifecycle';
import { revisitWorkflowId } from '../../src/contracts/revisitProgramme';
import { shanghaiDate } from '../../src/shared/zone';
import { completeTaskUpdate, type TaskState } from '../../src/contracts/dutyTask';
import type { Duty } from '../../src/shared/types';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { bundle, catalogDuties, householdWorker, record, until, type HouseholdWorker } from './support';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundle;
let duties: Duty[];

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'error' }));
  [workflowBundle, duties] = await Promise.all([bundle(), catalogDuties()]);
});

beforeEach(async () => {
  env = await createTimeSkippingEnv();
});

afterEach(async () => {
  await env?.teardown();
});

/** Waits for the stage to open, checks who owns it, completes it, and lets a day pass as cadres would. */
async function completeStage(h: HouseholdWorker, lifecycleId: string, index: number, expect_: { phase: string; unit: string; assignee: string }, by: string, fields: Record<string, string>, note?: string): Promise<LifecycleState> {
  const s = await until(() => lifecycleState(h.client, lifecycleId), (l) => ['open', 'overdue'].includes(l.stages[index]?.status ?? ''));
  const stage = s.stages[index];
  expect([stage?.phase, stage?.unitId]).toEqual([expect_.phase, expect_.unit]);
  const handle = h.client.workflow.getHandle(stage?.taskId ?? '');
  const task = (await handle.query('state')) as TaskState;
  expect(task.assignee).toEqual({ personId: expect_.assignee, unitId: expect_.unit });
  await handle.executeUpdate(completeTaskUpdate, { args: [{ by, fields, note }] });
  await env.sleep('1 day');
  return until(() => lifecycleState(h.client, lifecycleId), (l) => !['open', 'overdue', 'pending'].includes(l.stages[index]?.status ?? ''));
}

test('a household found at risk goes 排查→比对→核实→认定→帮扶→退出 level by level, and exit starts its revisit programme', async () => {
  const h = await householdWorker(env, workflowBundle, duties);
  await h.worker.runUntil(async () => {
    const rec = record({ householdId: 'H-LIFE' });
    const hh = h.client.workflow.getHandle(householdWorkflowId(rec.householdId));
    await h.client.workflow.start('household', { workflowId: hh.workflowId, taskQueue: h.taskQueue, args: [householdInput(rec, 'test')] });
    const foundOn = shanghaiDate(await env.currentTimeMs());
    await hh.executeUpdate(riskFoundUpdate, { args: [{ on: foundOn, by: 'p-pine-1' }] });
    const id = lifecycleWorkflowId('H-LIFE', foundOn);
    expect((await householdState(h.client, 'H-LIFE')).episodes).toEqual([expect.objectContaining({ kind: 'lifecycle', workflowId: id, status: 'running' })]);

    const village = { unit: 'v-pine', assignee: 'p-pine-1' };
    await completeStage(h, id, 0, { phase: 'screening', ...village }, 'p-pine-1', {});
    await completeStage(h, id, 1, { phase: 'comparison', ...village }, 'p-pine-2', {});
    await completeStage(h, id, 2, { phase: 'verification', ...village }, 'p-pine-1', {});
    await completeStage(h, id, 3, { phase: 'identification', unit: 't-east', assignee: 'p-east-cadre' }, 'p-east-cadre', {});

    // 帮扶 records the measures; a completion without them is refused.
    const s4 = await until(() => lifecycleState(h.client, id), (l) => l.stages[4]?.status === 'open');
    const refused = await h.client.workflow
      .getHandle(s4.stages[4]?.taskId ?? '')
      .executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', fields: {} }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toContain('缺少必填项 落实帮扶措施数(measuresTaken)');
    await completeStage(h, id, 4, { phase: 'assistance', ...village }, 'p-pine-1', { measuresTaken: '2' }, '落实产业帮扶和医疗救助');

    // The bureau's exit assessment: not yet cleared, so assistance goes round again.
    await completeStage(h, id, 5, { phase: 'exit', unit: 'bureau', assignee: 'p-admin' }, 'p-admin', { riskCleared: '否' }, '收入仍不稳定');
    await completeStage(h, id, 6, { phase: 'assistance', ...village }, 'p-pine-2', { measuresTaken: '1' }, '增加公益岗位');
    const clearedOn = shanghaiDate(await env.currentTimeMs());
    await completeStage(h, id, 7, { phase: 'exit', unit: 'bureau', assignee: 'p-admin' }, 'p-admin', { riskCleared: '是', clearedOn }, '经评估风险已消除');

    const final: LifecycleState = await h.client.workflow.getHandle(id).result();
    expect(final).toMatchObject({ status: 'cleared', clearedOn });
    expect(final.stages.map((s) => `${s.round}:${s.phase}:${s.status}`)).toEqual([
      '1:screening:done',
      '1:comparison:done',
      '1:verification:done',
      '1:identification:done',
      '1:assistance:done',
      '1:exit:done',
      '2:assistance:done',
      '2:exit:done',
    ]);
    expect(final.stages[4]?.fields).toEqual({ measuresTaken: 2 });

    // Exit set the clearance date, and the household started the one-year revisit programme from it.
    const programmeId = revisitWorkflowId('H-LIFE', clearedOn);
    const hs = await until(() => householdState(h.client, 'H-LIFE'), (st) => st.episodes.some((e) => e.workflowId === programmeId));
    expect(hs.status).toBe('revisiting');
    expect(hs.record.riskClearedOn).toBe(clearedOn);
    const programme = await until(() => revisitState(h.client, programmeId), (p) => p.revisits.length === 4);
    expect(programme.revisits.every((r) => r.unitId === 'v-pine')).toBe(true);
  });
});
