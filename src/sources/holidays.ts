import * as fs from 'node:fs';
import * as path from 'node:path';
import { holidayProblems, parseOverrides, WorkCalendar, type YearArrangement } from '../calendar';
import { settings } from '../config';
import { CalendarError, ValidationError } from '../errors';
import { readYaml } from '../validation/yamlSource';

export const DEFAULT_OVERRIDE_FILE = path.resolve(__dirname, '../../data/holidays.json');

export interface LoadOptions {
  /** JSON file adding or replacing whole years; see data/README.md. */
  overrideFile?: string;
}

/** The working-day calendar: the package's years plus the holiday file (`data/holidays.json` or DUTY_HOLIDAYS_FILE). */
export function loadWorkCalendar(options: LoadOptions = {}): WorkCalendar {
  const { file, required } = overrideFileChoice(options.overrideFile);
  return WorkCalendar.withOverrides(readOverrideFile(file, required));
}

/** The holiday file the engine reads now: what a watcher looks at for new data. */
export function holidayFile(): string {
  return overrideFileChoice().file;
}

/** Which file to read, and whether its absence is an error (only the shipped default may be missing). */
function overrideFileChoice(explicit?: string): { file: string; required: boolean } {
  if (explicit !== undefined) return { file: path.resolve(explicit), required: true };
  const fromEnv = settings().holidaysFile;
  if (fromEnv) return { file: path.resolve(fromEnv), required: true };
  return { file: DEFAULT_OVERRIDE_FILE, required: false };
}

function readOverrideFile(file: string, required: boolean): Map<number, YearArrangement> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new CalendarError(`无法读取节假日文件 ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError('节假日文件', [{ file, path: '(json)', message: `不是合法的 JSON: ${(err as Error).message}` }]);
  }
  // JSON is YAML, so the YAML reader can say on which line each refused entry sits.
  const problems = holidayProblems(json);
  if (problems.length > 0) {
    const located = readYaml(text, file);
    throw new ValidationError('节假日文件', problems.map((p) => ({ ...located.toIssue(p), message: `${p.message}(格式见 data/README.md)` })));
  }
  return parseOverrides(json, file);
}

