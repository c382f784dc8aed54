import type { Env } from '../config';
import type { OrgTree } from '../roster/orgTree';
import type { UnitRobots } from '../shared/types';

/**
 * The robots a person's messages go through: for each kind, the one of their own unit, else of the nearest unit
 * above it (a village without its own group is reached through its township's group). Undefined when none.
 */
export function robotsFor(tree: OrgTree, unitId: string): UnitRobots | undefined {
  const found: UnitRobots = {};
  for (const id of tree.unitPath(unitId).reverse()) {
    const robots = tree.unit(id).robots;
    found.wecom ??= robots?.wecom;
    found.dingtalk ??= robots?.dingtalk;
  }
  return found.wecom || found.dingtalk ? found : undefined;
}

/** Reads a variable named by the roster; blank counts as unset, so an emptied secret routes to the fallback. */
export function envValue(env: Env, name: string | undefined): string | undefined {
  const value = name === undefined ? undefined : env[name]?.trim();
  return value ? value : undefined;
}
