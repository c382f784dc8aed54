import type { z } from 'zod';
import { CatalogError, RosterError, type InputIssue } from '../errors';
import { checkRosterIntegrity } from '../roster/integrity';
import { personSchema, rosterFileSchema, unitSchema } from '../roster/schema';
import type { Duty, Roster } from '../shared/types';
import { duplicates } from './primitives';
import { dutiesFileSchema, dutySchema } from './schema';
import { orderIssues, readYaml, type PathIssue, type PathSegment, type YamlSource } from './yamlSource';
import { zhErrorMap } from './zhErrors';
import { fromZod } from './zodIssues';

/** Text → validated values, collecting every issue instead of stopping at the first. */

export interface DutyEntry {
  duty: Duty;
  /** Position in its file's `duties` list, for locating cross-check issues. */
  index: number;
  source: YamlSource;
}

export interface DutiesFileCheck {
  source: YamlSource;
  entries: DutyEntry[];
  /** The `id` of every listed duty, valid or not, so duplicates are found even among broken entries. */
  rawIds: (string | undefined)[];
  issues: InputIssue[];
}

export interface RosterCheck {
  roster: Roster | undefined;
  source: YamlSource;
  issues: InputIssue[];
}

function parseEach<T>(items: unknown[], schema: z.ZodType<T>, prefix: PathSegment[]) {
  const values: (T | undefined)[] = [];
  const issues: PathIssue[] = [];
  items.forEach((item, i) => {
    const result = schema.safeParse(item, { error: zhErrorMap });
    values.push(result.success ? result.data : undefined);
    if (!result.success) issues.push(...fromZod(result.error.issues, [...prefix, i]));
  });
  return { values, issues };
}

function rawId(item: unknown): string | undefined {
  const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The outer shape, or the issues explaining why there is none. */
function parseShell<T>(source: YamlSource, schema: z.ZodType<T>): { shell?: T; issues: InputIssue[] } {
  if (source.syntaxIssues.length > 0) return { issues: source.syntaxIssues };
  if (source.data === null || source.data === undefined) {
    return { issues: [source.toIssue({ path: [], message: '文件为空' })] };
  }
  const result = schema.safeParse(source.data, { error: zhErrorMap });
  if (!result.success) return { issues: fromZod(result.error.issues).map((i) => source.toIssue(i)) };
  return { shell: result.data, issues: [] };
}

export function checkDutiesText(text: string, file: string): DutiesFileCheck {
  const source = readYaml(text, file);
  const { shell, issues } = parseShell(source, dutiesFileSchema);
  if (shell === undefined) return { source, entries: [], rawIds: [], issues };
  const parsed = parseEach(shell.duties, dutySchema, ['duties']);
  const entries = parsed.values.flatMap((duty, index) => (duty ? [{ duty, index, source }] : []));
  return {
    source,
    entries,
    rawIds: shell.duties.map(rawId),
    issues: parsed.issues.map((i) => source.toIssue(i)),
  };
}

/** Duty ids must be unique across the whole catalog; the later occurrence is the one reported. */
export function duplicateDutyIds(files: readonly DutiesFileCheck[]): InputIssue[] {
  const all = files.flatMap((f) => f.rawIds.map((id, index) => ({ id, index, source: f.source })));
  return duplicates(all, (d) => d.id).flatMap(({ index, first }) => {
    const dup = all[index];
    const original = all[first];
    if (dup === undefined || original === undefined) return [];
    const where = original.source.toIssue({ path: ['duties', original.index, 'id'], message: '' });
    return [
      dup.source.toIssue({
        path: ['duties', dup.index, 'id'],
        message: `职责编号重复 (已在 ${where.file} 第 ${where.line} 行定义)`,
      }),
    ];
  });
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

/** Parses one duties file on its own (no roster cross-checks); throws CatalogError listing every problem. */
export function parseDuties(text: string, file: string): Duty[] {
  const check = checkDutiesText(text, file);
  const issues = [...check.issues, ...duplicateDutyIds([check])];
  if (issues.length > 0) throw new CatalogError(orderIssues(issues));
  return check.entries.map((e) => e.duty);
}

/** Parses and checks a roster; throws RosterError listing every problem. */
export function parseRoster(text: string, file: string): Roster {
  const check = checkRosterText(text, file);
  if (check.roster === undefined) throw new RosterError(orderIssues(check.issues));
  return check.roster;
}
