import { NotFoundError, UsageError } from '../errors';
import type { Assignment, Person, Role, Roster, Unit } from '../shared/types';

export interface Assignee {
  personId: string;
  unitId: string;
}

/**
 * Read-only queries over a validated roster. Lists come back in roster order so that task fan-out and
 * reports are stable from one run to the next.
 */
export class OrgTree {
  private readonly units = new Map<string, Unit>();
  private readonly people = new Map<string, Person>();
  private readonly root: Unit | undefined;

  constructor(readonly roster: Roster) {
    for (const unit of roster.units) this.units.set(unit.id, unit);
    for (const person of roster.people) this.people.set(person.id, person);
    this.root = roster.units.find((u) => u.kind === 'bureau' && u.parent === undefined);
  }

  hasUnit(id: string): boolean {
    return this.units.has(id);
  }

  hasPerson(id: string): boolean {
    return this.people.has(id);
  }

  unit(id: string): Unit {
    const unit = this.units.get(id);
    if (unit === undefined) throw new NotFoundError('单位', id);
    return unit;
  }

  person(id: string): Person {
    const person = this.people.get(id);
    if (person === undefined) throw new NotFoundError('人员', id);
    return person;
  }

  /** Ids from the root down to the unit itself. */
  unitPath(unitId: string): string[] {
    const path: string[] = [];
    let current: Unit | undefined = this.unit(unitId);
    // The visited check only matters for an unvalidated roster; a valid one has no cycles.
    while (current !== undefined && !path.includes(current.id)) {
      path.push(current.id);
      current = current.parent === undefined ? undefined : this.units.get(current.parent);
    }
    return path.reverse();
  }

  /** The township or sub-district a unit belongs to (itself if it is one); undefined for the bureau and departments. */
  township(unitId: string): Unit | undefined {
    return this.unitPath(unitId)
      .map((id) => this.unit(id))
      .find((u) => u.kind === 'township');
  }

  isInSubtree(unitId: string, rootId: string): boolean {
    return this.hasUnit(unitId) && this.unitPath(unitId).includes(rootId);
  }

  /** The unit and everything under it. */
  subtree(rootId: string): Unit[] {
    this.unit(rootId);
    return this.roster.units.filter((u) => this.unitPath(u.id).includes(rootId));
  }

  peopleOf(unitId: string, role?: Role): Person[] {
    this.unit(unitId);
    return this.roster.people.filter((p) => p.unit === unitId && (role === undefined || p.roles.includes(role)));
  }

  /**
   * Supervisors notified at escalation `level`: level 1 is the unit's own supervisors, level 2 its parent's,
   * and so on; levels beyond the root stay with the root's supervisors.
   */
  supervisorsAt(unitId: string, level: number): Person[] {
    if (!Number.isInteger(level) || level < 1) throw new UsageError(`升级层级必须是正整数: ${level}`);
    const upwards = this.unitPath(unitId).reverse();
    const at = upwards[Math.min(level, upwards.length) - 1];
    return at === undefined ? [] : this.unit(at).supervisors.map((id) => this.person(id));
  }

  /** Units an assignment covers: the listed units, plus every unit of the listed kinds carrying any of the tags. */
  matchUnits(a: Assignment): Unit[] {
    const listed = new Set(a.units ?? []);
    const kinds = new Set(a.unitKinds ?? []);
    const tags = a.tags ?? [];
    return this.roster.units.filter(
      (u) => listed.has(u.id) || (kinds.has(u.kind) && (tags.length === 0 || tags.some((t) => u.tags.includes(t)))),
    );
  }

  /** Per unit: its first person with the role (units without one are skipped); per person: each person with it. */
  resolveAssignees(a: Assignment): Assignee[] {
    return this.matchUnits(a).flatMap((unit) => {
      const holders = this.peopleOf(unit.id, a.role);
      const owners = a.per === 'unit' ? holders.slice(0, 1) : holders;
      return owners.map((p) => ({ personId: p.id, unitId: unit.id }));
    });
  }

  admins(): Person[] {
    return this.roster.people.filter((p) => p.roles.includes('admin'));
  }

  isAdmin(personId: string): boolean {
    return this.people.get(personId)?.roles.includes('admin') ?? false;
  }

  /** The assignee, a colleague in the same unit (who may stand in), or an administrator; unknown people may not. */
  canComplete(personId: string, assignee: Assignee): boolean {
    const person = this.people.get(personId);
    if (person === undefined) return false;
    return person.id === assignee.personId || person.unit === assignee.unitId || this.isAdmin(personId);
  }

  /** An administrator, or a supervisor of the unit or of a unit above it: who may decide on the unit's tasks. */
  canSupervise(personId: string, unitId: string): boolean {
    if (this.isAdmin(personId)) return true;
    return this.hasUnit(unitId) && this.unitPath(unitId).some((id) => this.unit(id).supervisors.includes(personId));
  }

  /** Units a person supervises, directly or through their parents, for overdue reports. */
  supervisedUnits(personId: string): Unit[] {
    const direct = this.roster.units.filter((u) => u.supervisors.includes(personId)).map((u) => u.id);
    return this.roster.units.filter((u) => this.unitPath(u.id).some((id) => direct.includes(id)));
  }
}
