import type { InputIssue } from '../errors';
import type { Assignment } from '../shared/types';
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
    const phases = (duty.phases ?? []).flatMap((p, j) =>
      p.assignTo ? checkAssignment(p.assignTo, ['duties', index, 'phases', j, 'assignTo'], tree, usedTags) : [],
    );
    return [...checkAssignment(duty.assignTo, ['duties', index, 'assignTo'], tree, usedTags), ...phases].map((i) => source.toIssue(i));
  });
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
