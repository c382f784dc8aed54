import {
  ActivityFailure,
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
import { clearRiskUpdate, type DatedRequest, type HouseholdAction, type HouseholdCarry, householdHandoverQuery, type EpisodeEvent, episodeEventSignal, type HouseholdInput, type HouseholdState, householdStateQuery, riskFoundUpdate, riskReturnedUpdate, upsertHouseholdUpdate } from '../src/contracts/household';
import { type EpisodeRef, type HouseholdMemo, type HouseholdRecord, type HouseholdStatus } from '../src/shared/household';
import { SA } from '../src/shared/searchAttributes';
import { type HeldCopy, isHeld } from '../src/contracts/migration';
import { failureDetail, handlersFinished, nowIso, record, refuse, setStatus, released } from './support';

/** Starting a workflow is one quick call; as local activities these cost no extra round trips per household. */
const { startRevisitProgramme, startLifecycle } = proxyLocalActivities<activities.Activities>({ startToCloseTimeout: '1 minute' });

type Action = HouseholdAction;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One monitored household, for as long as it is on record: its (encrypted) record, its status, and the revisit
 * programmes and monitoring lifecycles it went through. It is the single writer for the household, so an import,
 * a clearance, a returned risk and an exit assessment can never start two overlapping episodes.
 */
export async function household(input: HouseholdInput, carry?: HouseholdCarry | HeldCopy): Promise<void> {
  if (isHeld(carry)) return household(input, await released<HouseholdCarry>(carry));
  const h = new Household(input, carry);
  setHandler(householdStateQuery, () => h.state);
  setHandler(householdHandoverQuery, () => h.handover());
  setHandler(upsertHouseholdUpdate, (req) => h.upsert(req), { validator: (req) => h.checkUpsert(req) });
  setHandler(clearRiskUpdate, (req) => h.clearRisk(req), { validator: (req) => h.checkClearRisk(req) });
  setHandler(riskReturnedUpdate, (req) => h.riskReturned(req), { validator: (req) => h.checkRiskReturned(req) });
  setHandler(riskFoundUpdate, (req) => h.riskFound(req), { validator: (req) => h.checkRiskFound(req) });
  setHandler(episodeEventSignal, (event) => h.onEpisodeEvent(event));

  for (;;) {
    await condition(() => h.hasWork() || workflowInfo().continueAsNewSuggested);
    if (await h.performNext()) continue;
    await handlersFinished();
    if (!h.hasWork()) await h.continueAsNew();
  }
}

/**
 * The household's state and its queue of episode starts. Updates and signals only queue a start; the workflow's
 * loop performs them one at a time, and an update that asked for one waits until it is done.
 */
class Household {
  readonly state: HouseholdState;
  private readonly actions: Action[];
  private nextAction: number;
  private idTag: string;
  private readonly done = new Set<number>();

  constructor(input: HouseholdInput, carry?: HouseholdCarry) {
    this.state = carry?.state ?? initialState(input);
    this.actions = carry?.actions ?? [];
    this.nextAction = carry?.nextAction ?? 1;
    this.idTag = input.idTag;
    if (!carry && input.record.riskClearedOn) this.enqueue({ kind: 'start-revisit', on: input.record.riskClearedOn, by: input.by });
  }

  handover(): { input: HouseholdInput; carry: HouseholdCarry } {
    const { state } = this;
    return { input: { record: state.record, digest: state.digest, idTag: this.idTag, by: 'system' }, carry: { state, actions: this.actions, nextAction: this.nextAction } };
  }

  hasWork(): boolean {
    return this.actions.length > 0;
  }

  upsert(req: HouseholdInput): 'updated' {
    const { state } = this;
    const before = state.record;
    state.record = req.record;
    state.digest = req.digest;
    this.idTag = req.idTag;
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
      if (!this.running('revisit') && !this.running('lifecycle')) this.enqueue({ kind: 'start-revisit', on: cleared, by: req.by });
      else record(state, 'system', 'updated', `风险消除日期改为 ${cleared},进行中的流程不变`);
    }
    return 'updated';
  }

  checkUpsert(req: HouseholdInput): void {
    if (req.record.householdId !== this.state.record.householdId) refuse('WrongHousehold', `户编号不符: ${req.record.householdId}`);
    // Refused rather than accepted as a no-op, so an unchanged row writes nothing to history.
    if (sameRecord(req.record, this.state.record)) refuse('Unchanged', '记录无变化');
  }

  async clearRisk(req: DatedRequest): Promise<HouseholdState> {
    this.state.record = { ...this.state.record, riskClearedOn: req.on };
    record(this.state, req.by, 'cleared', req.on);
    await this.settle(this.enqueue({ kind: 'start-revisit', on: req.on, by: req.by }));
    return this.state;
  }

  checkClearRisk(req: DatedRequest): void {
    checkDate(req, this.state.record);
    const programme = revisitWorkflowId(this.state.record.householdId, req.on);
    if (this.state.episodes.some((e) => e.workflowId === programme)) refuse('AlreadyStarted', `回头看计划 ${programme} 已存在,未重复启动`);
    const lifecycle = this.running('lifecycle');
    if (lifecycle) refuse('InLifecycle', `该户正在识别帮扶流程 ${lifecycle.workflowId} 中,请通过其"退出"环节认定风险消除`);
    const revisit = this.running('revisit');
    if (revisit) refuse('InRevisit', `该户正在回头看计划 ${revisit.workflowId} 中`);
  }

  async riskReturned(req: DatedRequest): Promise<HouseholdState> {
    record(this.state, req.by, 'risk-returned', req.on);
    await this.settle(this.enqueue({ kind: 'start-lifecycle', on: req.on, by: req.by, cancel: this.running('revisit')?.workflowId }));
    return this.state;
  }

  checkRiskReturned(req: DatedRequest): void {
    checkDate(req, this.state.record);
    const revisit = this.running('revisit');
    if (!revisit) refuse('NotInRevisit', '该户当前不在风险消除后的回头看期内;新发现风险请用 duty household risk-found');
    if (req.on < revisit.startedOn) refuse('InvalidDate', `风险返回日期 ${req.on} 早于风险消除日期 ${revisit.startedOn}`);
  }

  async riskFound(req: DatedRequest): Promise<HouseholdState> {
    record(this.state, req.by, 'risk-found', req.on);
    await this.settle(this.enqueue({ kind: 'start-lifecycle', on: req.on, by: req.by }));
    return this.state;
  }

  checkRiskFound(req: DatedRequest): void {
    checkDate(req, this.state.record);
    const lifecycle = this.running('lifecycle');
    if (lifecycle) refuse('InLifecycle', `该户已在识别帮扶流程 ${lifecycle.workflowId} 中`);
    if (this.running('revisit')) refuse('InRevisit', '该户正在回头看期内,请用 duty household risk-returned');
  }

  onEpisodeEvent(event: EpisodeEvent): void {
    const { state } = this;
    const episode = state.episodes.find((e) => e.workflowId === event.workflowId);
    if (!episode) return;
    if (event.kind === 'risk-returned' && episode.status === 'running' && !this.running('lifecycle')) {
      record(state, event.by, 'risk-returned', `${event.on}(${event.workflowId})`);
      this.enqueue({ kind: 'start-lifecycle', on: event.on, by: event.by });
    } else if (event.kind === 'cleared' && !this.running('revisit')) {
      state.record = { ...state.record, riskClearedOn: event.on };
      record(state, event.by, 'cleared', `${event.on}(${event.workflowId})`);
      this.enqueue({ kind: 'start-revisit', on: event.on, by: event.by });
    } else if (event.kind === 'ended') {
      episode.status = event.status;
      episode.endedOn = event.on;
      const idle = !this.running('revisit') && !this.running('lifecycle') && !this.hasWork();
      if (idle && episode.kind === 'revisit' && event.status === 'finished') changeStatus(state, 'stable');
    }
  }

  /** Performs the oldest queued start; false when none is queued. */
  async performNext(): Promise<boolean> {
    const next = this.actions.shift();
    if (!next) return false;
    try {
      await (next.kind === 'start-revisit' ? this.startRevisit(next) : this.startLifecycle(next));
    } catch (err) {
      // A refused start (catalog without the duty, unknown village) must not end the household's record.
      if (!(err instanceof ActivityFailure)) throw err;
      record(this.state, 'system', next.kind === 'start-revisit' ? 'programme' : 'lifecycle', `未能启动: ${failureDetail(err)}`);
    }
    this.done.add(next.id);
    return true;
  }

  /** Memo and search attributes are handed on explicitly: the next run must still be found by an import and a listing. */
  async continueAsNew(): Promise<void> {
    const { state, actions, nextAction } = this;
    const continueWith = makeContinueAsNewFunc<typeof household>({
      memo: { digest: state.digest, idTag: this.idTag } satisfies HouseholdMemo,
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    });
    await continueWith({ record: state.record, digest: state.digest, idTag: this.idTag, by: 'system' }, { state, actions, nextAction });
  }

  private async startRevisit(a: Action): Promise<void> {
    const { state } = this;
    const { householdId, villageId } = state.record;
    const outcome = await startRevisitProgramme({ householdId, villageId, clearedOn: a.on, parent: workflowInfo().workflowId, asOf: nowIso() });
    const workflowId = revisitWorkflowId(householdId, a.on);
    if (outcome === 'expired') {
      state.episodes.push({ kind: 'revisit', workflowId, startedOn: a.on, status: 'expired' });
      record(state, 'system', 'programme', `${workflowId} 未启动: 风险消除已满一年`);
      changeStatus(state, 'stable');
    } else {
      if (!state.episodes.some((e) => e.workflowId === workflowId)) state.episodes.push({ kind: 'revisit', workflowId, startedOn: a.on, status: 'running' });
      record(state, 'system', 'programme', `${workflowId} ${outcome === 'started' ? '已启动' : '已存在'}`);
      changeStatus(state, 'revisiting');
    }
  }

  private async startLifecycle(a: Action): Promise<void> {
    const { state } = this;
    const { householdId, villageId } = state.record;
    const parent = workflowInfo().workflowId;
    if (a.cancel) await cancelProgramme(a.cancel, a.on, a.by);
    const outcome = await startLifecycle({ householdId, villageId, startedOn: a.on, parent });
    const workflowId = lifecycleWorkflowId(householdId, a.on);
    if (!state.episodes.some((e) => e.workflowId === workflowId)) state.episodes.push({ kind: 'lifecycle', workflowId, startedOn: a.on, status: 'running' });
    record(state, 'system', 'lifecycle', `${workflowId} ${outcome === 'started' ? '已启动' : '已存在'}`);
    changeStatus(state, 'monitored');
  }

  private running(kind: EpisodeRef['kind']): EpisodeRef | undefined {
    return this.state.episodes.find((e) => e.kind === kind && e.status === 'running');
  }

  private enqueue(a: Omit<Action, 'id'>): number {
    const id = this.nextAction++;
    this.actions.push({ ...a, id });
    return id;
  }

  private async settle(id: number): Promise<void> {
    await condition(() => this.done.has(id));
  }
}

function initialState(input: HouseholdInput): HouseholdState {
  return {
    record: input.record,
    digest: input.digest,
    status: 'monitored',
    episodes: [],
    events: [{ at: nowIso(), actor: input.by, action: 'registered' }],
  };
}

async function cancelProgramme(programme: string, on: string, by: string): Promise<void> {
  const reason = `${RISK_RETURNED_REASON}(${on})`;
  try {
    await getExternalWorkflowHandle(programme).signal(cancelProgrammeSignal, { on, reason, by });
  } catch {
    // Already finished: nothing left to cancel.
  }
}

/** Only a change is upserted: households that keep their status write nothing to history. */
function changeStatus(state: HouseholdState, status: HouseholdStatus): void {
  if (state.status !== status) setStatus(state, status);
}

function checkDate(req: DatedRequest, rec: HouseholdRecord): void {
  const today = shanghaiDate(Date.now());
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
