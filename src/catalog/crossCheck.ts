import type { InputIssue } from '../errors';
import type { Assignment, Duty } from '../shared/types';
import type { OrgTree } from '../roster/orgTree';
import type { DutyEntry } from './parse';
import type { PathIssue } from '../validation/yamlSource';

/**
 * Duties against the roster: an assignment that reaches nobody would make a duty silently produce no task,
 * so every such case is an error at load time rather than a surprise at the deadline.
 */
export function crossCheck(entries: readonly DutyEntry[], tree: OrgTree): InputIssue[] {
  const usedTags = new Set(tree.roster.units.flatMap((u) => u.tags));
  return entries.flatMap(({ duty, index, source }) => {
    const base = ['duties', index];
    const versions = (duty.versions ?? []).flatMap((v, k) => assignmentsOf(v, [...base, 'versions', k], tree, usedTags));
    return [...assignmentsOf(duty, base, tree, usedTags), ...versions].map((i) => source.toIssue(i));
  });
}

/** The assignments a duty or one of its versions gives: its own and its phases'. */
function assignmentsOf(terms: Pick<Duty, 'phases'> & { assignTo?: Assignment }, base: (string | number)[], tree: OrgTree, usedTags: Set<string>): PathIssue[] {
  const phases = (terms.phases ?? []).flatMap((p, j) => (p.assignTo ? checkAssignment(p.assignTo, [...base, 'phases', j, 'assignTo'], tree, usedTags) : []));
  return [...(terms.assignTo ? checkAssignment(terms.assignTo, [...base, 'assignTo'], tree, usedTags) : []), ...phases];
}

function checkAssignment(a: Assignment, base: (string | number)[], tree: OrgTree, usedTags: Set<string>): PathIssue[] {
  const issues: PathIssue[] = [];
  (a.units ?? []).forEach((id, j) => {
    if (!tree.hasUnit(id)) issues.push({ path: [...base, 'units', j], message: `找不到单位 "${id}"` });
  });
  (a.tags ?? []).forEach((tag, j) => {
    if (!usedTags.has(tag)) issues.push({ path: [...base, 'tags', j], message: `没有任何单位带有标签 "${tag}"` });
  });
  const matched = tree.matchUnits(a);
  if (matched.length === 0) {
    issues.push({ path: base, message: '分派规则没有匹配到任何单位' });
  }
  for (const unit of matched) {
    if (tree.peopleOf(unit.id, a.role).length === 0) {
      issues.push({
        path: [...base, 'role'],
        value: unit.id,
        message: `单位 "${unit.id}" (${unit.name}) 没有角色为 ${a.role} 的人员`,
      });
    }
  }
  return issues;
}
