import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CatalogError, RosterError, type InputIssue } from '../errors';
import { OrgTree } from '../roster/orgTree';
import type { Catalog } from '../shared/types';
import { ASSESSMENT_FILE, checkAssessmentText } from '../catalog/assessment';
import { crossCheck } from '../catalog/crossCheck';
import { checkDutiesText, duplicateDutyIds, type DutiesFileCheck } from '../catalog/parse';
import { checkRosterText } from '../roster/parse';
import { orderIssues } from '../validation/yamlSource';


const YAML_FILE = /\.ya?ml$/i;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readDutyFiles(dir: string): Promise<{ files: DutiesFileCheck[]; issues: InputIssue[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => YAML_FILE.test(n)).sort();
  } catch (error) {
    if (!isMissing(error)) throw error;
    return { files: [], issues: [{ file: dir, path: '(目录)', message: '找不到职责目录' }] };
  }
  if (names.length === 0) {
    return { files: [], issues: [{ file: dir, path: '(目录)', message: '职责目录中没有 .yaml 文件' }] };
  }
  const files = await Promise.all(
    names.map(async (name) => {
      const file = join(dir, name);
      return checkDutiesText(await readFile(file, 'utf8'), file);
    }),
  );
  return { files, issues: [] };
}

async function readRoster(file: string) {
  try {
    return checkRosterText(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (!isMissing(error)) throw error;
    return { roster: undefined, issues: [{ file, path: '(文件)', message: '找不到名册文件' }] };
  }
}

/** `assessment.yaml` is optional: without it the default 考核 rules apply. */
async function readAssessment(file: string): Promise<ReturnType<typeof checkAssessmentText>> {
  try {
    return checkAssessmentText(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (!isMissing(error)) throw error;
    return { issues: [] };
  }
}

/**
 * Loads `<dir>/duties/*.y(a)ml` (in name order), `<dir>/roster.yaml` and the optional `<dir>/assessment.yaml`, then
 * checks duties against the roster.
 * Every problem in every file is reported in one error: RosterError when only the roster is wrong, otherwise
 * CatalogError (which then also lists the roster's problems).
 */
export async function loadCatalog(dir: string): Promise<Catalog> {
  const [dutyFiles, rosterCheck, assessment] = await Promise.all([readDutyFiles(join(dir, 'duties')), readRoster(join(dir, 'roster.yaml')), readAssessment(join(dir, ASSESSMENT_FILE))]);
  const { files } = dutyFiles;
  const entries = files.flatMap((f) => f.entries);
  const catalogIssues = [...dutyFiles.issues, ...files.flatMap((f) => f.issues), ...duplicateDutyIds(files), ...assessment.issues];
  const { roster } = rosterCheck;
  if (roster !== undefined) catalogIssues.push(...crossCheck(entries, new OrgTree(roster)));

  if (catalogIssues.length > 0) throw new CatalogError(orderIssues([...rosterCheck.issues, ...catalogIssues]));
  if (roster === undefined) throw new RosterError(orderIssues(rosterCheck.issues));
  return { duties: entries.map((e) => e.duty), roster, ...(assessment.rules ? { assessment: assessment.rules } : {}) };
}
