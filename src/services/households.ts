import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import type { Actor } from '../audit/log';
import { clearRiskUpdate, type DatedRequest, type HouseholdState, householdWorkflowId, riskFoundUpdate, riskReturnedUpdate } from '../contracts/household';
import { processEnv } from '../config';
import { DutyError, NotFoundError, UsageError } from '../errors';
import { householdState, lifecycleState, listHouseholds, revisitState, type HouseholdListing } from '../households/client';
import { planImport, runImport, type ImportResult } from '../households/importer';
import { maskedView, type HouseholdView } from '../households/show';
import { type EpisodeRef, HOUSEHOLD_ID } from '../shared/household';
import { ZONE } from '../shared/zone';
import { loadPayloadKeys } from '../temporal/payloadKeys';
import { recordAudit, type ServiceContext } from './context';

/**
 * Monitored households (监测对象) for the CLI and any later web page. Every change is audited by household id,
 * village and dates only: a household's head and ID number never reach the audit log, and a household leaves
 * this module masked.
 */

export interface ImportSummary {
  rows: number;
  create: number;
  update: number;
  unchanged: number;
  withClearance: number;
  ignoredColumns: string[];
}

export type ImportOutcome = { dryRun: true; summary: ImportSummary } | { dryRun: false; result: ImportResult; seconds: number };

export interface ImportOptions {
  sheet?: string;
  /** The person recorded in each household's history as having imported it. */
  by: string;
  dryRun?: boolean;
  progress?: (done: number, total: number) => void;
}

/** A household in a listing: ids and status, without the memo's fingerprints. */
export type HouseholdRow = Omit<HouseholdListing, 'memo'>;

export type ClearOutcome = { kind: 'started' | 'expired'; programmeId: string } | { kind: 'already'; message: string };

type DatedAction = 'household.clear' | 'household.risk-returned' | 'household.risk-found';

const DATED_UPDATES = { 'household.clear': clearRiskUpdate, 'household.risk-returned': riskReturnedUpdate, 'household.risk-found': riskFoundUpdate };

function today(): string {
  return DateTime.now().setZone(ZONE).toISODate() ?? '';
}

/** Personal data may only go to Temporal encrypted; without a key the import stops before reading anything. */
function requireEncryption(ctx: ServiceContext): void {
  const keys = loadPayloadKeys(processEnv(), ctx.settings.dataDir);
  if (!keys.current) {
    throw new UsageError(
      `农户数据含姓名和身份证号,必须加密后才能写入 Temporal,但未配置加密密钥(${keys.source})。请设置 DUTY_PAYLOAD_KEY(openssl rand -base64 32),或先运行 npm start 生成 .data/payload-keys.json`,
    );
  }
}

/** The audit's name for an imported file: its content digest, since a file name is free text that may name a household. */
function fileDigest(file: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16)}`;
}

/**
 * Checks the whole file and compares it with what Temporal holds; unless `dryRun`, writes what differs.
 * Every import that is not a dry run is audited with its counts (like `duty apply`), also one that stops part-way.
 */
export async function importHouseholds(ctx: ServiceContext, actor: Actor, file: string, opts: ImportOptions): Promise<ImportOutcome> {
  requireEncryption(ctx);
  const tree = await ctx.tree();
  const client = await ctx.temporal();
  const plan = await planImport(client, tree, file, today(), opts.sheet);
  const summary: ImportSummary = { rows: plan.rows, create: plan.create.length, update: plan.update.length, unchanged: plan.unchanged, withClearance: plan.withClearance, ignoredColumns: plan.ignoredColumns };
  if (opts.dryRun) return { dryRun: true, summary };
  const entry = { actor: actor.id, via: actor.via, action: 'household.import' as const, target: fileDigest(file) };
  const started = Date.now();
  let result: ImportResult;
  try {
    result = await runImport(client, ctx.settings.taskQueue, tree, plan, { by: opts.by, progress: opts.progress });
  } catch (err) {
    // Some households may be written already: the attempt is recorded with what it set out to write.
    await recordAudit(ctx, { ...entry, detail: { by: opts.by, rows: plan.rows, create: summary.create, update: summary.update, failed: true } });
    throw err;
  }
  await recordAudit(ctx, { ...entry, detail: { by: opts.by, rows: result.rows, created: result.created, updated: result.updated, unchanged: result.unchanged, withClearance: result.withClearance } });
  return { dryRun: false, result, seconds: (Date.now() - started) / 1000 };
}

/** A call to one household's workflow, where an unknown household is named as such rather than as a workflow. */
async function onHousehold<T>(householdId: string, call: () => Promise<T>): Promise<T> {
  if (!HOUSEHOLD_ID.test(householdId)) throw new UsageError(`户编号无效: ${JSON.stringify(householdId)}`);
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError('农户', householdId);
    throw err;
  }
}

function stateOf(client: Client, householdId: string): Promise<HouseholdState> {
  return onHousehold(householdId, () => householdState(client, householdId));
}

/** One household, masked: its record, revisit programmes and monitoring lifecycles. */
export async function showHousehold(ctx: ServiceContext, householdId: string): Promise<HouseholdView> {
  const client = await ctx.temporal();
  const household = await stateOf(client, householdId);
  const ids = (kind: string) => household.episodes.filter((e) => e.kind === kind && e.status !== 'expired').map((e) => e.workflowId);
  return maskedView({
    household: { record: household.record, status: household.status, episodes: household.episodes, events: household.events },
    programmes: await Promise.all(ids('revisit').map((id) => revisitState(client, id))),
    lifecycles: await Promise.all(ids('lifecycle').map((id) => lifecycleState(client, id))),
  });
}

export async function findHouseholds(ctx: ServiceContext, unitId?: string): Promise<HouseholdRow[]> {
  if (unitId) (await ctx.tree()).unit(unitId);
  return (await listHouseholds(await ctx.temporal(), unitId)).map(({ memo: _memo, ...row }) => row);
}

/** The episode a dated change started: the revisit programme for that date, or the newest lifecycle. */
function episodeOf(action: DatedAction, state: HouseholdState, on: string): EpisodeRef | undefined {
  if (action === 'household.clear') return state.episodes.find((e) => e.startedOn === on && e.kind === 'revisit');
  return [...state.episodes].reverse().find((e) => e.kind === 'lifecycle');
}

/** clear / risk-returned / risk-found: one Update to the household, which refuses anything that does not fit its state. */
async function dated(ctx: ServiceContext, actor: Actor, action: DatedAction, householdId: string, req: DatedRequest): Promise<EpisodeRef | undefined> {
  (await ctx.tree()).person(req.by);
  const client = await ctx.temporal();
  const handle = client.workflow.getHandle(householdWorkflowId(householdId));
  const state = await onHousehold(householdId, () => handle.executeUpdate(DATED_UPDATES[action], { args: [{ on: req.on, by: req.by }] }));
  const episode = episodeOf(action, state, req.on);
  await recordAudit(ctx, {
    actor: actor.id,
    via: actor.via,
    action,
    target: householdId,
    unitId: state.record.villageId,
    detail: { on: req.on, by: req.by, ...(episode ? { episode: episode.workflowId, status: episode.status } : {}) },
  });
  if (action === 'household.clear' && !episode) throw new DutyError(`已登记风险消除 ${req.on},但回头看计划未能启动: ${state.events.at(-1)?.detail ?? '原因见 household show'}`);
  return episode;
}

/** 风险消除: starts the household's revisit programme; the same date again starts nothing and changes nothing. */
export async function clearHouseholdRisk(ctx: ServiceContext, actor: Actor, householdId: string, req: DatedRequest): Promise<ClearOutcome> {
  try {
    const programme = await dated(ctx, actor, 'household.clear', householdId, req);
    return { kind: programme?.status === 'expired' ? 'expired' : 'started', programmeId: programme?.workflowId ?? '' };
  } catch (err) {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === 'AlreadyStarted') return { kind: 'already', message: cause.message };
    throw err;
  }
}

/** 风险返回 during the revisit year: cancels the remaining revisits and starts a lifecycle; returns its id. */
export async function householdRiskReturned(ctx: ServiceContext, actor: Actor, householdId: string, req: DatedRequest): Promise<string> {
  return (await dated(ctx, actor, 'household.risk-returned', householdId, req))?.workflowId ?? '';
}

/** 发现风险: starts the identification-and-assistance lifecycle; returns its id. */
export async function householdRiskFound(ctx: ServiceContext, actor: Actor, householdId: string, req: DatedRequest): Promise<string> {
  return (await dated(ctx, actor, 'household.risk-found', householdId, req))?.workflowId ?? '';
}
