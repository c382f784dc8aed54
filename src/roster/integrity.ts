import type { UnitKind } from '../shared/types';
import { duplicates } from '../validation/primitives';
import type { PathIssue } from '../validation/yamlSource';
import { checkRobotChannels } from './robotIntegrity';
import type { RosterEntries } from './schema';

/**
 * Rules between roster entries. Entries that failed their own schema are `undefined` here; their raw ids still
 * count as existing, so a typo in one unit does not also flag every reference to it.
 */

export const KIND_NAMES: Record<UnitKind, string> = {
  bureau: '市局',
  township: '镇/街道',
  village: '村/社区',
  department: '行业部门',
};

const PARENT_KIND: Record<Exclude<UnitKind, 'bureau'>, UnitKind> = {
  township: 'bureau',
  village: 'township',
  department: 'bureau',
};

export function checkRosterIntegrity(entries: RosterEntries): PathIssue[] {
  return [...checkIds(entries), ...checkBureau(entries), ...checkParents(entries), ...checkCycles(entries), ...checkPeople(entries), ...checkRobotChannels(entries)];
}

function checkIds({ rawUnitIds, rawPersonIds }: RosterEntries): PathIssue[] {
  const unitDups = duplicates(rawUnitIds, (id) => id).map(({ index, first }) => ({
    path: ['units', index, 'id'],
    message: `单位编号重复 (与 units[${first}] 相同)`,
  }));
  const personDups = duplicates(rawPersonIds, (id) => id).map(({ index, first }) => ({
    path: ['people', index, 'id'],
    message: `人员编号重复 (与 people[${first}] 相同)`,
  }));
  return [...unitDups, ...personDups];
}

function checkBureau({ units }: RosterEntries): PathIssue[] {
  const bureaus = units.flatMap((u, i) => (u?.kind === 'bureau' ? [i] : []));
  const first = bureaus[0];
  if (first === undefined) {
    // An invalid entry may have been meant as the bureau; its own issue says enough.
    return units.includes(undefined) ? [] : [{ path: ['units'], message: '必须有一个 kind 为 bureau 的单位 (市局)' }];
  }
  return bureaus.slice(1).map((i) => ({
    path: ['units', i, 'kind'],
    message: `只能有一个 bureau 单位 (已有 units[${first}])`,
  }));
}

function checkParents({ units, people, rawUnitIds, rawPersonIds }: RosterEntries): PathIssue[] {
  const unitIds = new Set(rawUnitIds);
  const byId = new Map(units.flatMap((u) => (u ? [[u.id, u] as const] : [])));
  const personIds = new Set(rawPersonIds);
  const peopleById = new Map(people.flatMap((p) => (p ? [[p.id, p] as const] : [])));
  const issues: PathIssue[] = [];
  units.forEach((unit, i) => {
    if (unit === undefined) return;
    if (unit.kind === 'bureau') {
      if (unit.parent !== undefined) issues.push({ path: ['units', i, 'parent'], message: '市局 (bureau) 不能有上级单位' });
    } else if (unit.parent === undefined) {
      issues.push({ path: ['units', i, 'parent'], message: `缺少上级单位 parent (${KIND_NAMES[unit.kind]}必须有上级)` });
    } else if (!unitIds.has(unit.parent)) {
      issues.push({ path: ['units', i, 'parent'], message: `找不到单位 "${unit.parent}"` });
    } else {
      const parent = byId.get(unit.parent);
      const expected = PARENT_KIND[unit.kind];
      if (parent !== undefined && parent.kind !== expected) {
        issues.push({
          path: ['units', i, 'parent'],
          message: `${KIND_NAMES[unit.kind]}的上级必须是${KIND_NAMES[expected]}, 而 "${parent.id}" 是${KIND_NAMES[parent.kind]}`,
        });
      }
    }
    unit.supervisors.forEach((personId, j) => {
      const path = ['units', i, 'supervisors', j];
      const person = peopleById.get(personId);
      if (!personIds.has(personId)) issues.push({ path, message: `找不到人员 "${personId}"` });
      else if (person !== undefined && !person.roles.some((r) => r === 'supervisor' || r === 'admin')) {
        issues.push({ path, message: `人员 "${personId}" 没有 supervisor 或 admin 角色, 不能担任督查人` });
      }
    });
  });
  return issues;
}

/** Reports each parent cycle once, at its member listed first in the roster. */
function checkCycles({ units }: RosterEntries): PathIssue[] {
  const index = new Map<string, number>();
  units.forEach((u, i) => {
    if (u !== undefined && !index.has(u.id)) index.set(u.id, i);
  });
  const reported = new Set<string>();
  const issues: PathIssue[] = [];
  units.forEach((unit, i) => {
    if (unit === undefined || reported.has(unit.id)) return;
    const chain: string[] = [];
    let current: string | undefined = unit.id;
    while (current !== undefined && !chain.includes(current)) {
      chain.push(current);
      const at = index.get(current);
      current = at === undefined ? undefined : units[at]?.parent;
    }
    if (current === undefined) return;
    const cycle = chain.slice(chain.indexOf(current));
    if (!cycle.includes(unit.id) || cycle.some((id) => reported.has(id))) return;
    cycle.forEach((id) => reported.add(id));
    issues.push({ path: ['units', i, 'parent'], message: `上级关系形成环: ${[...cycle, unit.id].join(' → ')}` });
  });
  return issues;
}

function checkPeople({ people, rawUnitIds }: RosterEntries): PathIssue[] {
  const unitIds = new Set(rawUnitIds);
  const issues: PathIssue[] = [];
  people.forEach((person, i) => {
    if (person !== undefined && !unitIds.has(person.unit)) {
      issues.push({ path: ['people', i, 'unit'], message: `找不到单位 "${person.unit}"` });
    }
  });
  const hasAdmin = people.some((p) => p?.roles.includes('admin'));
  if (!hasAdmin && !people.includes(undefined)) {
    issues.push({ path: ['people'], message: '至少需要一名管理员 (角色 admin)' });
  }
  return issues;
}
