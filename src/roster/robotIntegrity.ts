import type { PathIssue } from '../validation/yamlSource';
import type { UnitRobots } from '../shared/types';
import type { RosterEntries } from './schema';

const ROBOT_NAMES = { wecom: '企业微信', dingtalk: '钉钉' } as const;

/**
 * A person whose channel is a group robot needs one on their unit or a unit above it; without this check
 * a typo would quietly send their reminders to the local outbox instead.
 */
export function checkRobotChannels({ units, people }: RosterEntries): PathIssue[] {
  const byId = new Map(units.flatMap((u) => (u ? [[u.id, u] as const] : [])));
  const hasRobot = (unitId: string, kind: keyof UnitRobots): boolean => {
    const seen = new Set<string>();
    for (let u = byId.get(unitId); u && !seen.has(u.id); u = u.parent === undefined ? undefined : byId.get(u.parent)) {
      if (u.robots?.[kind]) return true;
      seen.add(u.id);
    }
    return false;
  };
  const issues: PathIssue[] = [];
  people.forEach((p, i) => {
    if (p === undefined || (p.channel !== 'wecom' && p.channel !== 'dingtalk')) return;
    // An unknown unit is reported by the parent checks already.
    if (!byId.has(p.unit) || hasRobot(p.unit, p.channel)) return;
    issues.push({
      path: ['people', i, 'channel'],
      message: `通知渠道为 ${p.channel}, 但所在单位 "${p.unit}" 及其上级都未配置${ROBOT_NAMES[p.channel]}机器人 (robots.${p.channel})`,
    });
  });
  return issues;
}
