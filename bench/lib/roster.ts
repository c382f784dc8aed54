import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseRoster } from '../../src/roster/parse';
import { OrgTree } from '../../src/roster/orgTree';
import type { Person, Roster, Unit } from '../../src/shared/types';

export interface CountyShape {
  townships: number;
  villages: number;
  departments: number;
}

/** The county of the issue: 15 townships, 200 villages, 25 departments. */
export const COUNTY: CountyShape = { townships: 15, villages: 200, departments: 25 };

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A fictional county roster of the given shape: one cadre per village and township, one liaison per department,
 * one supervisor per township and two bureau leads. One village in five is a key village, one in ten a model village.
 * `extraPeople` lets the privacy check plant a canary person.
 */
export function countyRoster(shape: CountyShape = COUNTY, extraPeople: Person[] = []): Roster {
  const units: Unit[] = [{ id: 'bureau', name: '沅江市乡村振兴局', kind: 'bureau', supervisors: ['p-lead-1', 'p-lead-2'], tags: [] }];
  const people: Person[] = [
    { id: 'p-admin', name: '管理员', unit: 'bureau', roles: ['admin'], email: 'admin@example.org' },
    { id: 'p-lead-1', name: '分管领导甲', unit: 'bureau', roles: ['supervisor'], email: 'lead1@example.org' },
    { id: 'p-lead-2', name: '分管领导乙', unit: 'bureau', roles: ['supervisor'], email: 'lead2@example.org' },
  ];
  for (let t = 1; t <= shape.townships; t++) {
    const id = `t-${pad(t, 2)}`;
    units.push({ id, name: `第${t}镇`, kind: 'township', parent: 'bureau', supervisors: [`p-${id}-sup`], tags: [] });
    people.push({ id: `p-${id}-sup`, name: `镇督查${t}`, unit: id, roles: ['supervisor'], email: `${id}-sup@example.org` });
    people.push({ id: `p-${id}-cadre`, name: `镇干部${t}`, unit: id, roles: ['cadre'], email: `${id}-cadre@example.org` });
  }
  for (let v = 1; v <= shape.villages; v++) {
    const id = `v-${pad(v, 3)}`;
    const township = `t-${pad(((v - 1) % shape.townships) + 1, 2)}`;
    const tags = v % 5 === 0 ? ['key-village'] : v % 10 === 1 ? ['model-village'] : [];
    units.push({ id, name: `第${v}村`, kind: 'village', parent: township, supervisors: [`p-${township}-sup`], tags });
    people.push({ id: `p-${id}`, name: `村干部${v}`, unit: id, roles: ['cadre'], email: `${id}@example.org` });
  }
  for (let d = 1; d <= shape.departments; d++) {
    const id = `dept-${pad(d, 2)}`;
    units.push({ id, name: `行业部门${d}`, kind: 'department', parent: 'bureau', supervisors: ['p-lead-1'], tags: [] });
    people.push({ id: `p-${id}`, name: `联络员${d}`, unit: id, roles: ['liaison'], email: `${id}@example.org` });
  }
  return { units, people: [...people, ...extraPeople] };
}

/** Writes `<dir>/roster.yaml` and returns the tree the worker will read from it (parsed the same way). */
export function writeRoster(dir: string, roster: Roster): OrgTree {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'roster.yaml');
  const text = stringify({
    units: roster.units.map((u) => ({ ...u, tags: u.tags.length ? u.tags : undefined, supervisors: u.supervisors.length ? u.supervisors : undefined })),
    people: roster.people,
  });
  writeFileSync(file, text);
  return new OrgTree(parseRoster(text, file));
}

/** Village units of a tree, the usual assignees of a herd. */
export function villages(tree: OrgTree): Unit[] {
  return tree.roster.units.filter((u) => u.kind === 'village');
}

export interface HerdPeople {
  /** Village cadres wanted in all; the county roster has one per village, the rest are added. */
  cadres: number;
  /** Each village gets a WeCom group robot (variable `<prefix><village>`) through which its cadres are reached. */
  robotEnvPrefix?: string;
  /** The added cadres go to the first N villages only (1: one group of them all); all villages by default. */
  villages?: number;
}

/**
 * A county roster with as many village cadres as a herd has tasks, so every task has its own holder and every
 * notice its own message: the channel, not the coalescing, is then what the herd measures.
 */
export function herdRoster(o: HerdPeople, extraPeople: Person[] = []): Roster {
  const base = countyRoster(COUNTY, extraPeople);
  const villageUnits = base.units.filter((u) => u.kind === 'village');
  const hosts = villageUnits.slice(0, o.villages ?? villageUnits.length);
  const extra: Person[] = [];
  for (let i = 0; i < o.cadres - hosts.length; i++) {
    const unit = hosts[i % hosts.length] as Unit;
    extra.push({ id: `p-${unit.id}-${pad(i, 5)}`, name: `村干部${i + 1}`, unit: unit.id, roles: ['cadre'], email: `${unit.id}-${pad(i, 5)}@example.org` });
  }
  const people = [...base.people, ...extra];
  if (!o.robotEnvPrefix) return { units: base.units, people };
  const prefix = o.robotEnvPrefix;
  return {
    units: base.units.map((u) => (u.kind === 'village' ? { ...u, robots: { wecom: { webhookEnv: robotEnv(prefix, u.id) } } } : u)),
    people: people.map((p, i) => (p.roles.includes('cadre') && p.unit.startsWith('v-') ? { ...p, channel: 'wecom' as const, mobile: `139${pad(i, 8)}` } : p)),
  };
}

/** The environment variable holding a village robot's webhook. */
export function robotEnv(prefix: string, unitId: string): string {
  return `${prefix}${unitId.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/** The village cadres of a tree, in a fixed order: the holders of a herd's tasks. */
export function villageCadres(tree: OrgTree): Person[] {
  return tree.roster.people.filter((p) => p.roles.includes('cadre') && tree.unit(p.unit).kind === 'village').sort((a, b) => a.id.localeCompare(b.id));
}
