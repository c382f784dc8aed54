import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  makeContinueAsNewFunc,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import { lifecycleWorkflowId } from '../src/contracts/monitoringLifecycle';
import { cancelProgrammeSignal, revisitWorkflowId, RISK_RETURNED_REASON } from '../src/contracts/revisitProgramme';
import { shanghaiDate } from '../src/shared/zone';
import { clearRiskUpdate, type DatedRequest, type EpisodeEvent, episodeEventSignal, type HouseholdInput, type HouseholdState, householdStateQuery, riskFoundUpdate, riskReturnedUpdate, upsertHouseholdUpdate } from '../src/contracts/household';
import { type EpisodeRef, type HouseholdEvent, type HouseholdMemo, type HouseholdRecord, type HouseholdStatus } from '../src/shared/household';
import { SA } from '../src/shared/searchAttributes';

/** Starting a workflow is one quick call; as local activities these cost no extra round trips per household. */
const { startRevisitProgramme, startLifecycle } = proxyLocalActivities<activities.Activities>({ startToCloseTimeout: '1 minute' });

interface Action {
  id: number;
  kind: 'start-revisit' | 'start-lifecycle';
  on: string;
  by: string;
  /** A revisit programme to cancel first (the risk returned during it). */
  cancel?: string;
}

export interface HouseholdCarry {
  state: HouseholdState;
  actions: Action[];
  nextAction: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One monitored household, for as long as it is on record: its (encrypted) record, its status, and the revisit
 * programmes and monitoring lifecycles it went through. It is the single writer for the household, so an import,
 * a clearance, a returned risk and an exit assessment can never start two overlapping episodes.
 */
export async function household(input: HouseholdInput, carry?: HouseholdCarry): Promise<void> {
  const state: HouseholdState = carry?.state ?? {
    record: input.record,
    digest: input.digest,
    status: 'monitored',
    episodes: [],
    events: [{ at: nowIso(), actor: input.by, action: 'registered' }],
  };
  const actions: Action[] = carry?.actions ?? [];
  let currentIdTag = input.idTag;
  let nextAction = carry?.nextAction ?? 1;
  const done = new Set<number>();
  const enqueue = (a: Omit<Action, 'id'>): number => {
    const id = nextAction++;
    actions.push({ ...a, id });
    return id;
  };
  if (!carry && input.record.riskClearedOn) enqueue({ kind: 'start-revisit', on: input.record.riskClearedOn, by: input.by });

  const running = (kind: EpisodeRef['kind']) => state.episodes.find((e) => e.kind === kind && e.status === 'running');
  const today = () => shanghaiDate(Date.now());

  setHandler(householdStateQuery, () => state);

  setHandler(
    upsertHouseholdUpdate,
    (req) => {
      const before = state.record;
      state.record = req.record;
      state.digest = req.digest;
      currentIdTag = req.idTag;
      upsertMemo({ digest: req.digest, idTag: req.idTag } satisfies HouseholdMemo);
      record(state, req.by, 'updated', changedFields(before, req.record).join('、'));
      if (req.place && req.record.villageId !== before.villageId) {
        // Listings by township follow the household; episodes already running keep the village they started with.
        upsertSearchAttributes([
          { key: SA.unit, value: req.record.villageId },
          { key: SA.unitPath, value: req.place.unitPath },
          ...(req.place.township ? [{ key: SA.township, value: req.place.township }] : []),
        ]);
      }
      const cleared = req.record.riskClearedOn;
      if (cleared && cleared !== before.riskClearedOn) {
        // A corrected date while an episode runs is recorded, not acted on: two programmes for one household would
        // send cadres twice.
        if (!running('revisit') && !running('lifecycle')) enqueue({ kind: 'start-revisit', on: cleared, by: req.by });
        else record(state, 'system', 'updated', `风险消除日期改为 ${cleared},进行中的流程不变`);
      }
      return 'updated' as const;
    },
    {
      validator: (req) => {
        if (req.record.householdId !== state.record.householdId) refuse('WrongHousehold', `户编号不符: ${req.record.householdId}`);
        // Refused rather than accepted as a no-op, so an unchanged row writes nothing to history.
        if (sameRecord(req.record, state.record)) refuse('Unchanged', '记录无变化');
      },
    },
  );

  setHandler(
    clearRiskUpdate,
    async (req) => {
      state.record = { ...state.record, riskClearedOn: req.on };
      record(state, req.by, 'cleared', req.on);
      await settle(enqueue({ kind: 'start-revisit', on: req.on, by: req.by }));
      return state;
    },
    {
      validator: (req) => {
        checkDate(req, state.record, today());
        const programme = revisitWorkflowId(state.record.householdId, req.on);
        if (state.episodes.some((e) => e.workflowId === programme)) refuse('AlreadyStarted', `回头看计划 ${programme} 已存在,未重复启动`);
        const lifecycle = running('lifecycle');
        if (lifecycle) refuse('InLifecycle', `该户正在识别帮扶流程 ${lifecycle.workflowId} 中,请通过其"退出"环节认定风险消除`);
        const revisit = running('revisit');
        if (revisit) refuse('InRevisit', `该户正在回头看计划 ${revisit.workflowId} 中`);
      },
    },
  );

  setHandler(
    riskReturnedUpdate,
    async (req) => {
      record(state, req.by, 'risk-returned', req.on);
      await settle(enqueue({ kind: 'start-lifecycle', on: req.on, by: req.by, cancel: running('revisit')?.workflowId }));
      return state;
    },
    {
      validator: (req) => {
        checkDate(req, state.record, today());
        const revisit = running('revisit');
        if (!revisit) refuse('NotInRevisit', '该户当前不在风险消除后的回头看期内;新发现风险请用 duty household risk-found');
        if (req.on < revisit.startedOn) refuse('InvalidDate', `风险返回日期 ${req.on} 早于风险消除日期 ${revisit.startedOn}`);
      },
    },
  );

  setHandler(
    riskFoundUpdate,
    async (req) => {
      record(state, req.by, 'risk-found', req.on);
      await settle(enqueue({ kind: 'start-lifecycle', on: req.on, by: req.by }));
      return state;
    },
    {
      validator: (req) => {
        checkDate(req, state.record, today());
        const lifecycle = running('lifecycle');
        if (lifecycle) refuse('InLifecycle', `该户已在识别帮扶流程 ${lifecycle.workflowId} 中`);
        if (running('revisit')) refuse('InRevisit', '该户正在回头看期内,请用 duty household risk-returned');
      },
    },
  );

  setHandler(episodeEventSignal, (event) => onEpisodeEvent(event));

  function onEpisodeEvent(event: EpisodeEvent): void {
    const episode = state.episodes.find((e) => e.workflowId === event.workflowId);
    if (!episode) return;
    if (event.kind === 'risk-returned' && episode.status === 'running' && !running('lifecycle')) {
      record(state, event.by, 'risk-returned', `${event.on}(${event.workflowId})`);
      enqueue({ kind: 'start-lifecycle', on: event.on, by: event.by });
    } else if (event.kind === 'cleared' && !running('revisit')) {
      state.record = { ...state.record, riskClearedOn: event.on };
      record(state, event.by, 'cleared', `${event.on}(${event.workflowId})`);
      enqueue({ kind: 'start-revisit', on: event.on, by: event.by });
    } else if (event.kind === 'ended') {
      episode.status = event.status;
      episode.endedOn = event.on;
      if (!running('revisit') && !running('lifecycle') && actions.length === 0) {
        setStatus(state, episode.kind === 'revisit' && event.status === 'finished' ? 'stable' : state.status);
      }
    }
  }

  async function settle(id: number): Promise<void> {
    await condition(() => done.has(id));
  }

  async function perform(a: Action): Promise<void> {
    const { householdId, villageId } = state.record;
    const parent = workflowInfo().workflowId;
    if (a.kind === 'start-revisit') {
      const outcome = await startRevisitProgramme({ householdId, villageId, clearedOn: a.on, parent, asOf: nowIso() });
      const workflowId = revisitWorkflowId(householdId, a.on);
      if (outcome === 'expired') {
        state.episodes.push({ kind: 'revisit', workflowId, startedOn: a.on, status: 'expired' });
        record(state, 'system', 'programme', `${workflowId} 未启动: 风险消除已满一年`);
        setStatus(state, 'stable');
      } else {
        if (!state.episodes.some((e) => e.workflowId === workflowId)) state.episodes.push({ kind: 'revisit', workflowId, startedOn: a.on, status: 'running' });
        record(state, 'system', 'programme', `${workflowId} ${outcome === 'started' ? '已启动' : '已存在'}`);
        setStatus(state, 'revisiting');
      }
      return;
    }
    if (a.cancel) {
      const reason = `${RISK_RETURNED_REASON}(${a.on})`;
      try {
        await getExternalWorkflowHandle(a.cancel).signal(cancelProgrammeSignal, { on: a.on, reason, by: a.by });
      } catch {
        // Already finished: nothing left to cancel.
      }
    }
    const outcome = await startLifecycle({ householdId, villageId, startedOn: a.on, parent });
    const workflowId = lifecycleWorkflowId(householdId, a.on);
    if (!state.episodes.some((e) => e.workflowId === workflowId)) state.episodes.push({ kind: 'lifecycle', workflowId, startedOn: a.on, status: 'running' });
    record(state, 'system', 'lifecycle', `${workflowId} ${outcome === 'started' ? '已启动' : '已存在'}`);
    setStatus(state, 'monitored');
  }

  for (;;) {
    await condition(() => actions.length > 0 || workflowInfo().continueAsNewSuggested);
    const next = actions.shift();
    if (next) {
      try {
        await perform(next);
      } catch (err) {
        // A refused start (catalog without the duty, unknown village) must not end the household's record.
        if (!(err instanceof ActivityFailure)) throw err;
        record(state, 'system', next.kind === 'start-revisit' ? 'programme' : 'lifecycle', `未能启动: ${err.cause?.message ?? err.message}`);
      }
      done.add(next.id);
      continue;
    }
    await condition(allHandlersFinished);
    if (actions.length > 0) continue;
    // Memo and search attributes are handed on explicitly: the next run must still be found by an import and a listing.
    const continueWith = makeContinueAsNewFunc<typeof household>({
      memo: { digest: state.digest, idTag: currentIdTag } satisfies HouseholdMemo,
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    });
    await continueWith({ record: state.record, digest: state.digest, idTag: currentIdTag, by: 'system' }, { state, actions, nextAction });
  }
}

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message });
}

function checkDate(req: DatedRequest, rec: HouseholdRecord, today: string): void {
  if (!DATE.test(req.on) || Number.isNaN(Date.parse(`${req.on}T00:00:00Z`))) refuse('InvalidDate', `日期必须是 YYYY-MM-DD,收到 ${JSON.stringify(req.on)}`);
  if (req.on > today) refuse('InvalidDate', `日期 ${req.on} 晚于今天 ${today}`);
  if (req.on < rec.identifiedOn) refuse('InvalidDate', `日期 ${req.on} 早于识别日期 ${rec.identifiedOn}`);
  if (!req.by?.trim()) refuse('InvalidActor', '必须说明办理人(--by)');
}

/** Field names only: the values may be personal. */
function changedFields(a: HouseholdRecord, b: HouseholdRecord): string[] {
  const names: Record<keyof HouseholdRecord, string> = {
    householdId: '户编号',
    headName: '户主姓名',
    idNumber: '身份证号',
    villageId: '所在村',
    monitoringType: '监测类型',
    riskTypes: '风险类型',
    identifiedOn: '识别日期',
    riskClearedOn: '风险消除日期',
  };
  return (Object.keys(names) as (keyof HouseholdRecord)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => names[k]);
}

function sameRecord(a: HouseholdRecord, b: HouseholdRecord): boolean {
  return changedFields(a, b).length === 0;
}

function setStatus(state: HouseholdState, status: HouseholdStatus): void {
  if (state.status === status) return;
  state.status = status;
  upsertSearchAttributes([{ key: SA.status, value: status }]);
}

function record(state: HouseholdState, actor: string, action: HouseholdEvent['action'], detail?: string): void {
  state.events.push({ at: nowIso(), actor, action, ...(detail ? { detail } : {}) });
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
