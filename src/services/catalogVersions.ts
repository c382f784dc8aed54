import type { Actor, AuditEntry } from '../audit/log';
import type { Viewer } from '../auth/policy';
import { versionChanges, type VersionChange } from '../catalog/versions';
import { catalogVersionsOf } from '../schedules/catalogVersion';
import type { PlannedChange } from '../schedules/reconcile';
import type { CatalogVersion, Duty } from '../shared/types';
import { auditLog, type ServiceContext } from './context';
import { visibleTask } from './taskAccess';
import { showTask } from './tasks';

/**
 * Which catalog version a task opened under. A task's memo carries the fingerprint of the terms it opened with (the
 * planning activity stamps it); every apply that creates or changes a duty's schedule writes one `catalog.version`
 * entry for that duty listing the fingerprint of each of its versions. The latest such entry before the task opened
 * says when, and by whom, those terms were applied.
 */

/** Changed schedules only: an unchanged duty's versions are already in the trail. */
function changedDuties(duties: readonly Duty[], changes: readonly PlannedChange[]): Duty[] {
  const changed = new Set(changes.filter((c) => c.kind === 'create' || c.kind === 'update').map((c) => c.dutyId));
  return duties.filter((d) => changed.has(d.id));
}

/** The effective-dated versions an apply brings in, each with what it changes and the first period it reaches. */
export function plannedVersions(duties: readonly Duty[], changes: readonly PlannedChange[], today: string): VersionChange[] {
  return changedDuties(duties, changes).flatMap((d) => versionChanges(d, today));
}

export async function recordCatalogVersions(ctx: ServiceContext, actor: Actor, duties: readonly Duty[], changes: readonly PlannedChange[]): Promise<void> {
  const log = await auditLog(ctx);
  for (const duty of changedDuties(duties, changes)) {
    await log.record({ actor: actor.id, via: actor.via, action: 'catalog.version', target: duty.id, detail: { catalogVersions: catalogVersionsOf(duty) } });
  }
}

export interface TaskCatalogVersion {
  taskId: string;
  /** Absent for a task opened before versions were recorded, or by an event rather than a schedule. */
  version?: CatalogVersion;
  /** The `catalog.version` entry that applied those terms. */
  applied?: AuditEntry;
}

export async function taskCatalogVersion(ctx: ServiceContext, viewer: Viewer, taskId: string): Promise<TaskCatalogVersion> {
  const { handle } = await visibleTask(await ctx.temporal(), await ctx.tree(), viewer, taskId);
  const [{ memo }, state] = await Promise.all([handle.describe(), showTask(ctx, viewer, taskId)]);
  const version = memo?.catalogVersion as CatalogVersion | undefined;
  if (!version) return { taskId };
  const openedAt = Date.parse(state.events.find((e) => e.action === 'opened')?.at ?? '') || Date.now();
  // Newest first: the latest apply of these terms before the task opened.
  const trail = await (await auditLog(ctx)).list({ action: 'catalog.version', target: state.dutyId });
  const applied = trail.find((e) => Date.parse(e.at) <= openedAt && (e.detail?.catalogVersions as CatalogVersion[] | undefined)?.some((v) => v.fingerprint === version.fingerprint));
  return { taskId, version, ...(applied ? { applied } : {}) };
}
