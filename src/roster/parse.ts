import { RosterError, type InputIssue } from '../errors';
import type { Roster } from '../shared/types';
import { parseEach, parseShell, rawId } from '../validation/parseList';
import { orderIssues, readYaml, type YamlSource } from '../validation/yamlSource';
import { checkRosterIntegrity } from './integrity';
import { personSchema, rosterFileSchema, unitSchema } from './schema';

/** `roster.yaml` text → a checked roster, with every issue placed by file, line and field. */

export interface RosterCheck {
  roster: Roster | undefined;
  source: YamlSource;
  issues: InputIssue[];
}

export function checkRosterText(text: string, file: string): RosterCheck {
  const source = readYaml(text, file);
  const { shell, issues } = parseShell(source, rosterFileSchema);
  if (shell === undefined) return { roster: undefined, source, issues };
  const units = parseEach(shell.units, unitSchema, ['units']);
  const people = parseEach(shell.people, personSchema, ['people']);
  const integrity = checkRosterIntegrity({
    units: units.values,
    people: people.values,
    rawUnitIds: shell.units.map(rawId),
    rawPersonIds: shell.people.map(rawId),
  });
  const all = [...units.issues, ...people.issues, ...integrity].map((i) => source.toIssue(i));
  const roster =
    all.length === 0
      ? { units: units.values.filter((u) => u !== undefined), people: people.values.filter((p) => p !== undefined) }
      : undefined;
  return { roster, source, issues: all };
}

/** Parses and checks a roster; throws RosterError listing every problem. */
export function parseRoster(text: string, file: string): Roster {
  const check = checkRosterText(text, file);
  if (check.roster === undefined) throw new RosterError(orderIssues(check.issues));
  return check.roster;
}
