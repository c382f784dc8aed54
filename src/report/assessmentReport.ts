import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { TASK_WORKFLOW_TYPE, type TaskState, taskStateQuery } from '../contracts/dutyTask';
import type { OrgTree } from '../roster/orgTree';
import { SA } from '../shared/searchAttributes';
import type { AssessmentRules } from '../shared/types';
import { summarize } from '../tasks/query';
import { visibilityQuery, type VisibilityQuery } from '../tasks/visibilityQuery';
import { type AssessedTask, type AssessmentSource, type AuditStep, fromState, fromSummary, isRanked, RANKED_KINDS, type RankedKind, scoreUnits, type UnitScore, yearSpan } from './assessment';
import { latestRuns } from '../tasks/latestRuns';

export interface AssessmentReport {
  year: number;
  asOf: string;
  source: AssessmentSource;
  rules: AssessmentRules;
  /** What is shown: the unit asked for, or everything the viewer supervises. */
  scope: { unitId: string; unitName: string };
  /** Where the ranks were given, and how many units of each kind are ranked there. */
  rankedAmong: { unitName: string; counts: Record<RankedKind, number> };
  query: string;
  /** Tasks of the units shown whose deadline in force falls in the year. */
  tasks: number;
  /** History source: tasks whose record could not be read (terminated by an operator), left out of the score. */
  unreadable: string[];
  units: UnitScore[];
}

export interface AssessmentOptions {
  year: number;
  /** The subtrees the viewer supervises, whose units rank among each other; undefined for the county, empty for none. */
  roots?: string[];
  /**
   * The subtrees shown, when narrower: the listing still ranks them among all of `roots`; the history reads only these
   * and ranks among them.
   */
  shown?: string[];
  rules: AssessmentRules;
  source: AssessmentSource;
  /** The audit trail (history source), read only when needed. */
  audit?: () => Promise<AuditStep[]>;
  asOf?: Date;
}

/** Tasks whose deadline in force falls in the year, under any of the roots. */
export function assessmentQuery(year: number, roots?: string[]): VisibilityQuery {
  const { from, to } = yearSpan(year);
  const q = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).gte(SA.dueAt, from).lt(SA.dueAt, to);
  return roots ? q.anyOf(...roots.map((r) => visibilityQuery().eq(SA.unitPath, r))) : q;
}

async function eachListed(client: Client, query: string, take: (info: WorkflowExecutionInfo) => void): Promise<void> {
  let n = 0;
  for await (const info of latestRuns(client, { query, pageSize: 1000 })) {
    take(info);
    // Decoding a page runs in microtasks: a pause every 100 rows lets other requests in.
    if (++n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The listing source: what each task publishes (status, deadline, level, returns, completion time), one query. */
export async function listedTasks(client: Client, query: string): Promise<AssessedTask[]> {
  const out: AssessedTask[] = [];
  await eachListed(client, query, (info) => out.push(fromSummary(summarize(info), info.closeTime)));
  return out;
}

const STATE_READS_IN_FLIGHT = 16;

/** One task's record: asked while it runs, its result once closed; undefined when it ended without one. */
async function taskRecord(client: Client, taskId: string, running: boolean): Promise<TaskState | undefined> {
  const handle = client.workflow.getHandle(taskId);
  try {
    return running ? await handle.query(taskStateQuery) : ((await handle.result()) as TaskState);
  } catch (err) {
    if (err instanceof WorkflowFailedError) return undefined;
    throw err;
  }
}

/** The records of the given tasks, a few at a time; a task that ended without one (terminated) is named apart. */
export async function readRecords(client: Client, tasks: readonly { taskId: string; running: boolean }[]): Promise<{ states: TaskState[]; unreadable: string[] }> {
  const states: TaskState[] = [];
  const unreadable: string[] = [];
  for (let i = 0; i < tasks.length; i += STATE_READS_IN_FLIGHT) {
    const batch = tasks.slice(i, i + STATE_READS_IN_FLIGHT);
    const read = await Promise.all(batch.map((t) => taskRecord(client, t.taskId, t.running)));
    read.forEach((s, j) => (s ? states.push(s) : unreadable.push(batch[j]?.taskId ?? '')));
  }
  return { states, unreadable };
}

/** The history source: every task's own record, with the audit entries of its steps. */
export async function recordedTasks(client: Client, query: string, audit: readonly AuditStep[]): Promise<{ tasks: AssessedTask[]; unreadable: string[] }> {
  const listed: { taskId: string; running: boolean }[] = [];
  await eachListed(client, query, (info) => listed.push({ taskId: info.workflowId, running: info.status.name === 'RUNNING' }));
  const byTask = new Map<string, AuditStep[]>();
  for (const e of audit) byTask.set(e.target, (byTask.get(e.target) ?? []).concat(e));
  const { states, unreadable } = await readRecords(client, listed);
  return { tasks: states.map((s) => fromState(s, byTask.get(s.taskId))), unreadable };
}

/** The 考核 of a year over the given subtrees (or the county), from either source. */
export async function assessmentReport(client: Client, tree: OrgTree, o: AssessmentOptions): Promise<AssessmentReport> {
  const history = o.source === 'history';
  const roots = history ? (o.shown ?? o.roots) : o.roots;
  const query = roots?.length === 0 ? '' : assessmentQuery(o.year, roots).build();
  const read = !query
    ? { tasks: [], unreadable: [] }
    : history
      ? await recordedTasks(client, query, ((await o.audit?.()) ?? []).filter((e) => e.action === 'task.complete' || e.action === 'task.review'))
      : { tasks: await listedTasks(client, query), unreadable: [] };
  return assessTasks(tree, { ...o, roots }, read, query);
}

/** The report over tasks already read; the bench, whose test server has no listings, reads them itself. */
export function assessTasks(tree: OrgTree, o: Omit<AssessmentOptions, 'audit'>, read: { tasks: AssessedTask[]; unreadable: string[] }, query = ''): AssessmentReport {
  const asOf = o.asOf ?? new Date();
  const within = (roots?: string[]) => (unitId: string) => !roots || roots.some((r) => tree.isInSubtree(unitId, r));
  const ranked = scoreUnits({ tasks: read.tasks, units: tree.roster.units.filter(isRanked).filter((u) => within(o.roots)(u.id)), tree, rules: o.rules, asOf });
  const shown = within(o.shown ?? o.roots);
  const counts = Object.fromEntries(RANKED_KINDS.map((k) => [k, ranked.filter((u) => u.kind === k).length])) as Record<RankedKind, number>;
  return {
    year: o.year,
    asOf: asOf.toISOString(),
    source: o.source,
    rules: o.rules,
    scope: scopeName(tree, o.shown ?? o.roots),
    rankedAmong: { unitName: scopeName(tree, o.roots).unitName, counts },
    query,
    tasks: read.tasks.filter((t) => shown(t.unitId)).length,
    unreadable: read.unreadable,
    units: ranked.filter((u) => shown(u.unitId)),
  };
}

function scopeName(tree: OrgTree, roots: string[] | undefined): AssessmentReport['scope'] {
  if (!roots) return { unitId: '*', unitName: '全市' };
  return { unitId: roots.join(','), unitName: roots.map((r) => tree.unit(r).name).join('、') || '(无)' };
}
