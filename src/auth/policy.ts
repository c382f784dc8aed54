import { DutyError, NotFoundError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import type { Person } from '../shared/types';

/**
 * The one place that decides who sees and changes what. Services call it; HTTP handlers never decide on their own.
 * Anything outside a viewer's scope is reported exactly like something that does not exist, so a refusal tells
 * nothing about another unit.
 */

export type AccountRole = 'admin' | 'supervisor' | 'cadre';
export const ROLE_NAMES: Record<AccountRole, string> = { admin: '管理员', supervisor: '督查人员', cadre: '干部' };

export interface Viewer {
  role: AccountRole;
  /** Absent only for the local CLI operator. */
  personId?: string;
}

/** Whoever runs the CLI on the server can reach Temporal directly anyway, so the CLI acts with full rights. */
export const OPERATOR: Viewer = { role: 'admin' };

/** Refused because of the viewer's role, not because of where the object lies: HTTP 403. */
export class ForbiddenError extends DutyError {
  override name = 'ForbiddenError';
}

/** Liaisons of industry departments are cadres as far as the web is concerned. */
export function roleOf(person: Person): AccountRole | undefined {
  if (person.roles.includes('admin')) return 'admin';
  if (person.roles.includes('supervisor')) return 'supervisor';
  if (person.roles.includes('cadre') || person.roles.includes('liaison')) return 'cadre';
  return undefined;
}

export type Scope =
  | { all: true }
  /** Subtrees under `roots`, plus tasks of exactly `units`, plus tasks assigned to `people`. */
  | { all: false; roots: string[]; units: string[]; people: string[] };

export function scopeOf(tree: OrgTree, viewer: Viewer): Scope {
  if (viewer.role === 'admin') return { all: true };
  const person = viewer.personId && tree.hasPerson(viewer.personId) ? tree.person(viewer.personId) : undefined;
  if (!person) return { all: false, roots: [], units: [], people: [] };
  if (viewer.role === 'supervisor') {
    const direct = tree.roster.units.filter((u) => u.supervisors.includes(person.id)).map((u) => u.id);
    return { all: false, roots: minimalRoots(tree, [person.unit, ...direct]), units: [], people: [person.id] };
  }
  return personalScope(person);
}

/** "My tasks": my own and my unit's, whatever my role. */
export function personalScope(person: Person): Scope {
  return { all: false, roots: [], units: [person.unit], people: [person.id] };
}

/** Drops roots that lie under another root, so no subtree is queried twice. */
function minimalRoots(tree: OrgTree, ids: string[]): string[] {
  const unique = [...new Set(ids)].filter((id) => tree.hasUnit(id));
  return unique.filter((id) => !unique.some((other) => other !== id && tree.isInSubtree(id, other)));
}

export function canSeeTask(tree: OrgTree, scope: Scope, task: { unit: string; assignee: string }): boolean {
  if (scope.all) return true;
  return scope.people.includes(task.assignee) || scope.units.includes(task.unit) || scope.roots.some((r) => tree.isInSubtree(task.unit, r));
}

/**
 * Filtering by assignee: a person whose tasks the scope cannot include is "not found", worded exactly like a person
 * who does not exist, as units are in `unitsToQuery`. People are assigned tasks of their own unit.
 */
export function requirePersonInScope(tree: OrgTree, scope: Scope, personId: string): void {
  const person = tree.person(personId);
  if (!canSeeTask(tree, scope, { unit: person.unit, assignee: person.id })) throw new NotFoundError('人员', personId);
}

/** A unit wholly inside the scope: every task under it may be shown. */
export function coversUnit(tree: OrgTree, scope: Scope, unitId: string): boolean {
  return scope.all || scope.roots.some((r) => tree.isInSubtree(unitId, r));
}

/**
 * Unit ids to query so that together they cover what the viewer may see under `unitId` (or everywhere).
 * Undefined means "no unit restriction". Throws the same not-found as an unknown unit when nothing overlaps.
 */
export function unitsToQuery(tree: OrgTree, scope: Scope, unitId?: string): string[] | undefined {
  if (unitId) tree.unit(unitId);
  if (scope.all) return unitId ? [unitId] : undefined;
  if (unitId && coversUnit(tree, scope, unitId)) return [unitId];
  const candidates = [...scope.roots, ...scope.units];
  const inside = unitId ? candidates.filter((u) => tree.isInSubtree(u, unitId)) : candidates;
  if (unitId && inside.length === 0) throw new NotFoundError('单位', unitId);
  return inside;
}

export function requireRole(viewer: Viewer, roles: AccountRole[], what: string): void {
  if (!roles.includes(viewer.role)) throw new ForbiddenError(`${ROLE_NAMES[viewer.role]}无权${what}`);
}

/** The assignee, a colleague in the same unit, or an administrator; the task workflow checks the same list. */
export function requireCanComplete(tree: OrgTree, viewer: Viewer, assignee: { personId: string; unitId: string }): void {
  if (!viewer.personId) return;
  if (!tree.canComplete(viewer.personId, assignee)) throw new ForbiddenError('无权完成此任务(仅限责任人、同单位人员或管理员)');
}
