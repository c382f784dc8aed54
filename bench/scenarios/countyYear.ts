import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import pino from 'pino';
import { periodsStartingBetween } from '../../src/calendar';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { REPO_ROOT, settings } from '../../src/config';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';
import type { RawFieldValue } from '../../src/shared/completion';
import type { AssessmentRules, Duty } from '../../src/shared/types';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { completeTaskUpdate, type TaskState } from '../../src/contracts/dutyTask';
import { DEFAULT_ASSESSMENT } from '../../src/catalog/assessment';
import { fromState, inYear } from '../../src/report/assessment';
import { formatAssessment } from '../../src/report/assessmentFormat';
import { assessTasks, readRecords } from '../../src/report/assessmentReport';
import { createDutyWorker } from '../../worker';
import { createTimeSkippingEnv } from '../../tests/support/temporalEnv';
import { COUNTY, countyRoster, type CountyShape } from '../lib/roster';
import { eachParallel } from '../lib/tasks';
import { OrgTree } from '../../src/roster/orgTree';
import { householdsAvailable, startHouseholds } from './households';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { ZONE } from '../../src/shared/zone';

export interface YearOptions {
  households: number;
  /** Share of tasks done late (after escalation) and never done; the rest are done the day they are first reminded. */
  lateShare: number;
  neverShare: number;
  /** The worker's workflow cache. */
  cache: number;
  /** The county simulated (default: 15 townships, 200 villages, 25 departments). */
  shape?: CountyShape;
  /** Return every task's record at year end, for a test that recomputes scores from the events. */
  keepStates?: boolean;
}

/** A unit's line of the year's 考核, as the score table printed at the end ranks it. */
export interface YearScore {
  unitId: string;
  kind: string;
  rank: number;
  score: number;
  onTimeRate: number | null;
}

export interface YearResult {
  year: number;
  shape: string;
  households: number | 'pending';
  cache: number;
  tasks: number;
  byDuty: Record<string, number>;
  notices: Record<string, number>;
  escalatedTasks: number;
  completed: number;
  openAtYearEnd: number;
  refusedCompletions: number;
  /** The 考核 of the year at its last simulated day (`assessedAt`), from every task's record (the test server has no listings). */
  scores: YearScore[];
  assessedAt: string;
  states?: TaskState[];
  wallSec: number;
}

interface Seen {
  personId: string;
  dueOn: string;
}

/**
 * Counts every notice by kind (from its deterministic id) and remembers, from each task's first reminder, who owes
 * it and when it is due, so the simulated county acts without querying every task.
 */
class CountingChannel implements NotificationChannel {
  readonly name = 'outbox' as const;
  readonly notices: Record<string, number> = {};
  readonly counted = new Set<string>();
  readonly tasks = new Map<string, Seen>();
  readonly escalated = new Set<string>();
  async send(m: OutgoingMessage): Promise<ChannelResult> {
    const dueOn = /截止 (\d{4}-\d{2}-\d{2})/.exec(m.subject)?.[1];
    // A herald's message carries many notices; a task's own carries one.
    for (const notificationId of m.notices ?? [m.notificationId]) {
      // Task ids may hold '/', the notification suffix never does.
      const cut = notificationId.lastIndexOf('/');
      const taskId = notificationId.slice(0, cut);
      const kind = notificationId.slice(cut + 1).replace(/-\d+$/, '');
      // One count per notification, not per recipient: a level-2 notice to three people is one escalation.
      if (!this.counted.has(notificationId)) this.notices[kind] = (this.notices[kind] ?? 0) + 1;
      this.counted.add(notificationId);
      if (kind === 'escalation') this.escalated.add(taskId);
      if (kind === 'reminder' && dueOn && !this.tasks.has(taskId)) this.tasks.set(taskId, { personId: m.personId, dueOn });
    }
    return { result: 'sent' };
  }
}

/** A deterministic spread of outcomes, so two runs of the bench simulate the same county. */
function bucket(id: string): number {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 1000) / 1000;
}

/** Figures a cadre would enter: the smallest allowed numbers (so rules between fields hold), yes for checks. */
function answers(duty: Duty | undefined, phase: string | undefined, today: string): Record<string, RawFieldValue> {
  const spec = (phase ? duty?.phases?.find((p) => p.id === phase)?.completion : undefined) ?? duty?.completion;
  const out: Record<string, RawFieldValue> = {};
  for (const f of spec?.fields ?? []) {
    if (f.type === 'integer' || f.type === 'number') out[f.key] = Math.max(f.min ?? 0, 1);
    // "Risk returned: yes" would end the household's programme; the simulated county stays stable.
    else if (f.type === 'boolean') out[f.key] = f.key !== 'riskReturned';
    else if (f.type === 'date') out[f.key] = today;
    else out[f.key] = '已完成';
  }
  return out;
}

/**
 * A full year for a county on the time-skipping test server: every scheduled duty of the default catalog runs one
 * dutyCycle per period of the year, households (when that feature is present) run their revisit programmes, and a
 * simulated county completes tasks: most the day of their first reminder, some late, some never.
 */
export async function runCountyYear(bundle: string, keys: PayloadKeys, o: YearOptions, log: (line: string) => void): Promise<YearResult> {
  const began = Date.now();
  const env = await createTimeSkippingEnv();
  try {
    const catalog = await loadCatalog(path.join(REPO_ROOT, 'catalog', 'default'));
    const { duties } = catalog;
    const shape = o.shape ?? COUNTY;
    const tree = new OrgTree(countyRoster(shape));
    const calendar = loadWorkCalendar();
    const dataConverter = dutyDataConverter(keys);
    const client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const channel = new CountingChannel();
    const taskQueue = 'county-year';
    const worker = await createDutyWorker({
      connection: env.nativeConnection,
      client,
      namespace: 'default',
      settings: { ...settings(), taskQueue, dataDir: path.join(os.tmpdir(), `duty-year-${process.pid}`), maxCachedWorkflows: o.cache },
      logger: pino({ level: 'error' }),
      workflowBundle: { code: readFileSync(bundle, 'utf8') },
      channels: { outbox: channel },
      roster: () => tree,
      calendar,
      // Quiet hours stay on, judged on the test server's clock as in the task tests.
      clock: () => new Date(Context.current().info.currentAttemptScheduledTimestampMs),
      dataConverter,
      duties: async () => duties,
    });
    const start = DateTime.fromMillis(await env.currentTimeMs(), { zone: ZONE }).plus({ years: 1 }).startOf('year');
    const year = start.year;
    const end = start.plus({ years: 1 });
    return await worker.runUntil(async () => {
      await env.sleep(start.toMillis() - (await env.currentTimeMs()));
      const cycles = [];
      for (const duty of duties) {
        if (duty.recurrence.kind === 'triggered') continue;
        for (const p of periodsStartingBetween(duty.recurrence, start.toISODate() ?? '', end.minus({ days: 1 }).toISODate() ?? '')) {
          cycles.push(await client.workflow.start('dutyCycle', { workflowId: `cycle:${duty.id}:${p.label}`, taskQueue, args: [{ duty, period: p.label }] }));
        }
      }
      const households = householdsAvailable() ? await startHouseholds(client, taskQueue, tree, o.households, start.toISODate() ?? '') : 'pending';
      log(`county year ${year}: ${cycles.length} cycles, households ${households}`);

      const plans = new Map<string, string | null>();
      let completed = 0;
      let refused = 0;
      for (let day = start.set({ hour: 10 }); day < end; day = day.plus({ days: 1 })) {
        await env.sleep(day.toMillis() - (await env.currentTimeMs()));
        const today = day.toISODate() ?? '';
        for (const [taskId, seen] of channel.tasks) {
          if (plans.has(taskId)) continue;
          const b = bucket(taskId);
          plans.set(taskId, b < o.neverShare ? null : b < o.neverShare + o.lateShare ? calendar.addWorkingDays(seen.dueOn, 5).date : today);
        }
        const due = [...plans].filter(([, on]) => on !== null && on <= today).map(([taskId]) => taskId);
        // One at a time: concurrent Updates while the test server skips time trip its lock accounting
        // ("Unbalanced lock and unlock calls") and the run hangs.
        await eachParallel(due, 1, async (taskId) => {
          plans.set(taskId, null);
          const parts = taskId.split(':');
          const duty = duties.find((d) => d.id === parts[1]);
          const phase = duty?.phases?.find((p) => parts.includes(p.id))?.id;
          const by = channel.tasks.get(taskId)?.personId ?? '';
          try {
            await client.workflow.getHandle(taskId).executeUpdate(completeTaskUpdate, { args: [{ by, note: '已完成', fields: answers(duty, phase, today) }] });
            completed += 1;
          } catch {
            refused += 1;
          }
        });
        if (day.day === 1) log(`county year ${year}: ${day.toFormat('MM')} — ${plans.size} tasks reminded, ${completed} completed, ${((Date.now() - began) / 1000).toFixed(0)} s`);
      }
      const byDuty: Record<string, number> = {};
      for (const taskId of plans.keys()) {
        const dutyId = taskId.split(':')[1] ?? '?';
        byDuty[dutyId] = (byDuty[dutyId] ?? 0) + 1;
      }
      const opened = new Set(plans.keys());
      for (const c of cycles) for (const id of (await c.result()).opened) opened.add(id);
      const rules = catalog.assessment ?? DEFAULT_ASSESSMENT;
      const assessedAt = new Date(await env.currentTimeMs());
      const { states, scores } = await assess(client, tree, [...opened], { year, rules, asOf: assessedAt }, log);
      return {
        year,
        shape: `${shape.townships} townships, ${shape.villages} villages, ${shape.departments} departments`,
        households,
        cache: o.cache,
        tasks: opened.size,
        byDuty,
        notices: channel.notices,
        escalatedTasks: channel.escalated.size,
        completed,
        openAtYearEnd: opened.size - completed,
        refusedCompletions: refused,
        scores,
        assessedAt: assessedAt.toISOString(),
        ...(o.keepStates ? { states } : {}),
        wallSec: (Date.now() - began) / 1000,
      };
    });
  } finally {
    await env.teardown();
  }
}

/**
 * The year's 考核 from every task's own record, printed as the score table: the simulation's late and never-completed
 * tasks, with their escalations, are what the units lose points for.
 */
async function assess(client: Client, tree: OrgTree, taskIds: string[], at: { year: number; rules: AssessmentRules; asOf: Date }, log: (line: string) => void): Promise<{ states: TaskState[]; scores: YearScore[] }> {
  const began = Date.now();
  const listed: { taskId: string; running: boolean }[] = [];
  await eachParallel(taskIds, 16, async (taskId) => {
    const { status } = await client.workflow.getHandle(taskId).describe();
    listed.push({ taskId, running: status.name === 'RUNNING' });
  });
  const { states, unreadable } = await readRecords(client, listed);
  const tasks = states.map((s) => fromState(s)).filter((t) => inYear(t, at.year));
  const report = assessTasks(tree, { ...at, source: 'history' }, { tasks, unreadable });
  log(`county year ${at.year}: 考核 of ${tasks.length} tasks read in ${((Date.now() - began) / 1000).toFixed(0)} s\n${formatAssessment(report, 'table')}`);
  const scores = report.units.map((u) => ({ unitId: u.unitId, kind: u.kind, rank: u.rank, score: u.score, onTimeRate: u.onTimeRate }));
  return { states, scores };
}
