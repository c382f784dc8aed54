import { CatalogError, type InputIssue } from '../errors';
import type { Duty } from '../shared/types';
import { parseEach, parseShell, rawId } from '../validation/parseList';
import { duplicates } from '../validation/primitives';
import { orderIssues, readYaml, type YamlSource } from '../validation/yamlSource';
import { dutiesFileSchema, dutySchema } from './schema';

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

/** Parses one duties file on its own (no roster cross-checks); throws CatalogError listing every problem. */
export function parseDuties(text: string, file: string): Duty[] {
  const check = checkDutiesText(text, file);
  const issues = [...check.issues, ...duplicateDutyIds([check])];
  if (issues.length > 0) throw new CatalogError(orderIssues(issues));
  return check.entries.map((e) => e.duty);
}
