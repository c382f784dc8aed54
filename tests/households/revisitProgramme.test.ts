import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { DateTime } from 'luxon';
import pino from 'pino';
import { householdInput, householdState, revisitState } from '../../src/households/client';
import { householdWorkflowId, riskReturnedUpdate } from '../../src/contracts/household';
import { revisitWorkflowId, type RevisitProgrammeState } from '../../src/contracts/revisitProgramme';
import { shanghaiDate } from '../../src/shared/zone';
import { completeTaskUpdate, type TaskState, taskStateQuery } from '../../src/contracts/dutyTask';
import type { Duty } from '../../src/shared/types';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { bundle, calendar, catalogDuties, householdWorker, record, until, type HouseholdWorker } from './support';

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

const findings = (riskReturned: boolean) => ({ visited: '是', incomeStable: '是', guaranteesHold: '是', riskReturned: riskReturned ? '是' : '否' });

async function programmeOf(h: HouseholdWorker, householdId: string): Promise<RevisitProgrammeState> {
  const s = await until(() => householdState(h.client, householdId), (st) => st.episodes.some((e) => e.kind === 'revisit'));
  const id = s.episodes.find((e) => e.kind === 'revisit')?.workflowId ?? '';
  return until(() => revisitState(h.client, id), (p) => p.revisits.length === 4);
}

/** Advances the test server's clock to just after the revisit opens, then waits for its task to exist. */
async function openRevisit(h: HouseholdWorker, programmeId: string, round: number): Promise<RevisitProgrammeState> {
  const before = await revisitState(h.client, programmeId);
  const opensAt = Date.parse(before.revisits[round - 1]?.opensAt ?? '');
  const now = await env.currentTimeMs();
  if (opensAt + 60_000 > now) await env.sleep(opensAt + 60_000 - now);
  return until(() => revisitState(h.client, programmeId), (p) => ['open', 'overdue'].includes(p.revisits[round - 1]?.status ?? ''));
}

test('a clearance starts one programme of four quarterly revisits; late and on-time revisits are told apart', async () => {
  const h = await householdWorker(env, workflowBundle, duties);
  await h.worker.runUntil(async () => {
    const clearedOn = shanghaiDate(await env.currentTimeMs());
    const rec = record({ householdId: 'H-FULL', riskClearedOn: clearedOn });
    await h.client.workflow.start('household', { workflowId: householdWorkflowId(rec.householdId), taskQueue: h.taskQueue, args: [householdInput(rec, 'test')] });

    const programme = await programmeOf(h, rec.householdId);
    expect(programme.programmeId).toBe(revisitWorkflowId('H-FULL', clearedOn));
    // Revisit k opens at D+3(k-1) months and is due at D+3k months, moved to a working day.
    const d = DateTime.fromISO(clearedOn, { zone: 'Asia/Shanghai' });
    expect(programme.revisits.map((r) => r.opensAt.slice(0, 10))).toEqual([0, 3, 6, 9].map((m) => d.plus({ months: m }).toISODate()));
    expect(programme.revisits.map((r) => r.dueOn)).toEqual(
      [3, 6, 9, 12].map((m) => calendar.shift(d.plus({ months: m }).toISODate() ?? '', 'next-working-day').date),
    );
    expect(programme.revisits.map((r) => r.unitId)).toEqual(['v-pine', 'v-pine', 'v-pine', 'v-pine']);

    for (const round of [1, 2, 3, 4]) {
      const p = await openRevisit(h, programme.programmeId, round);
      const entry = p.revisits[round - 1];
      if (!entry) throw new Error('no entry');
      if (round === 2) {
        // Let revisit 2 run past its deadline: the village's cadre is chased and the township supervisor told.
        await env.sleep(Date.parse(entry.dueAt) - (await env.currentTimeMs()) + 26 * 3600_000);
        const overdue = await revisitState(h.client, programme.programmeId);
        expect(overdue.revisits[1]?.status).toBe('overdue');
        const task: TaskState = await h.client.workflow.getHandle(entry.taskId).query(taskStateQuery);
        expect(task.status).toBe('overdue');
        expect(task.deliveries.some((dl) => dl.personId === 'p-east-sup')).toBe(true);
      }
      await h.client.workflow.getHandle(entry.taskId).executeUpdate(completeTaskUpdate, {
        args: [{ by: 'p-pine-2', note: `第${round}次走访`, fields: findings(false) }],
      });
      await until(() => revisitState(h.client, programme.programmeId), (s) => !['open', 'overdue'].includes(s.revisits[round - 1]?.status ?? ''));
    }

    const final: RevisitProgrammeState = await h.client.workflow.getHandle(programme.programmeId).result();
    expect(final.status).toBe('finished');
    expect(final.revisits.map((r) => r.status)).toEqual(['done', 'late', 'done', 'done']);
    expect(final.revisits[0]?.fields).toEqual({ visited: true, incomeStable: true, guaranteesHold: true, riskReturned: false });
    const household = await until(() => householdState(h.client, rec.householdId), (s) => s.status === 'stable');
    expect(household.episodes).toEqual([expect.objectContaining({ kind: 'revisit', status: 'finished' })]);

    // Starting the same programme again is a no-op: the household refuses a second one for the same date.
    const again = await h.client.workflow
      .getHandle(householdWorkflowId(rec.householdId))
      .executeUpdate('clearRisk', { args: [{ on: clearedOn, by: 'p-admin' }] })
      .catch((e: Error) => e);
    expect(String((again as Error & { cause?: Error }).cause?.message)).toContain('已存在,未重复启动');
  });
});

test('a revisit that finds the risk returned cancels the rest and puts the household back into monitoring', async () => {
  const h = await householdWorker(env, workflowBundle, duties);
  await h.worker.runUntil(async () => {
    const clearedOn = shanghaiDate(await env.currentTimeMs());
    const rec = record({ householdId: 'H-BACK', riskClearedOn: clearedOn });
    await h.client.workflow.start('household', { workflowId: householdWorkflowId(rec.householdId), taskQueue: h.taskQueue, args: [householdInput(rec, 'test')] });
    const programme = await programmeOf(h, rec.householdId);

    const p = await openRevisit(h, programme.programmeId, 1);
    await h.client.workflow.getHandle(p.revisits[0]?.taskId ?? '').executeUpdate(completeTaskUpdate, {
      args: [{ by: 'p-pine-1', note: '家庭成员大病住院', fields: findings(true) }],
    });

    const final: RevisitProgrammeState = await h.client.workflow.getHandle(programme.programmeId).result();
    expect(final.status).toBe('cancelled');
    expect(final.revisits.map((r) => r.status)).toEqual(['done', 'cancelled', 'cancelled', 'cancelled']);
    expect(final.cancellation?.reason).toContain('风险返回');
    const household = await until(() => householdState(h.client, rec.householdId), (s) => s.episodes.some((e) => e.kind === 'lifecycle'));
    expect(household.status).toBe('monitored');
    expect(household.episodes.map((e) => [e.kind, e.status])).toEqual([
      ['revisit', 'cancelled'],
      ['lifecycle', 'running'],
    ]);
  });
});

test('duty household risk-returned waives the open revisit with the reason 风险返回 and cancels the rest', async () => {
  const h = await householdWorker(env, workflowBundle, duties);
  await h.worker.runUntil(async () => {
    const clearedOn = shanghaiDate(await env.currentTimeMs());
    const rec = record({ householdId: 'H-CLI', riskClearedOn: clearedOn });
    await h.client.workflow.start('household', { workflowId: householdWorkflowId(rec.householdId), taskQueue: h.taskQueue, args: [householdInput(rec, 'test')] });
    const programme = await programmeOf(h, rec.householdId);
    let p = await openRevisit(h, programme.programmeId, 1);
    await h.client.workflow.getHandle(p.revisits[0]?.taskId ?? '').executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', fields: findings(false) }] });
    p = await openRevisit(h, programme.programmeId, 2);
    const on = shanghaiDate(await env.currentTimeMs());

    const household = env.client.workflow.getHandle(householdWorkflowId(rec.householdId));
    await h.client.workflow.getHandle(household.workflowId).executeUpdate(riskReturnedUpdate, { args: [{ on, by: 'p-east-cadre' }] });

    const final: RevisitProgrammeState = await h.client.workflow.getHandle(programme.programmeId).result();
    expect(final.revisits.map((r) => r.status)).toEqual(['done', 'cancelled', 'cancelled', 'cancelled']);
    const waived: TaskState = await h.client.workflow.getHandle(p.revisits[1]?.taskId ?? '').result();
    expect(waived.status).toBe('waived');
    expect(waived.waiver).toMatchObject({ by: programme.programmeId, reason: `风险返回(${on})` });
    const s = await until(() => householdState(h.client, rec.householdId), (st) => st.episodes.some((e) => e.kind === 'lifecycle'));
    expect(s.episodes.find((e) => e.kind === 'lifecycle')?.workflowId).toBe(`lifecycle:H-CLI:${on}`);
  });
});
