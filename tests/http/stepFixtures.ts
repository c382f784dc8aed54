import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { REPO_ROOT } from '../../src/config';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { shanghaiDate, ZONE } from '../../src/shared/zone';

/**
 * What the 督办 step tests share: the default catalog with one duty that asks for a supervisor's review (办结审核),
 * a holiday file that declares a day off in a year the holiday package does not cover yet, and dates around a
 * deadline computed from today, so the tests mean the same whenever they run.
 */

/** The duty whose completions wait for review in the test catalog: the villages' quarterly 三资 disclosure. */
export const REVIEWED = 'three-assets-disclosure';

export interface StepEnv {
  catalogDir: string;
  holidaysFile: string;
  /** A weekday declared a holiday in the holiday file. */
  holiday: string;
  /** Puts the environment variables back and removes the files. */
  restore(): void;
}

const plus = (date: string, days: number) => DateTime.fromISO(date, { zone: ZONE }).plus({ days }).toISODate() ?? date;

/** Sets DUTY_CATALOG_DIR and DUTY_HOLIDAYS_FILE before the stack starts, so the worker, services and CLI all read them. */
export function stepEnv(): StepEnv {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-steps-'));
  const catalogDir = path.join(dir, 'catalog');
  cpSync(path.join(REPO_ROOT, 'catalog', 'default'), catalogDir, { recursive: true });
  const file = path.join(catalogDir, 'duties', 'clean-village.yaml');
  const yaml = readFileSync(file, 'utf8');
  const anchor = '    shift: previous-working-day\n';
  if (!yaml.includes(anchor)) throw new Error(`${file}: cannot find where to add review: supervisor`);
  writeFileSync(file, yaml.replace(anchor, `${anchor}    review: supervisor\n`));

  // New Year's Day of the first year the package has no arrangement for: every date of it lies ahead.
  const base = loadWorkCalendar();
  let year = DateTime.now().setZone(ZONE).year + 1;
  while (base.hasData(year)) year += 1;
  const holiday = `${year}-01-01`;
  const holidaysFile = path.join(dir, 'holidays.json');
  writeFileSync(holidaysFile, JSON.stringify({ [year]: { holidays: [holiday], workdays: [] } }));

  const previous = { DUTY_CATALOG_DIR: process.env.DUTY_CATALOG_DIR, DUTY_HOLIDAYS_FILE: process.env.DUTY_HOLIDAYS_FILE };
  Object.assign(process.env, { DUTY_CATALOG_DIR: catalogDir, DUTY_HOLIDAYS_FILE: holidaysFile });
  return {
    catalogDir,
    holidaysFile,
    holiday,
    restore() {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `2026-Q4` on 2026-12-03, in the county's time zone. */
export function currentQuarter(): string {
  const now = DateTime.now().setZone(ZONE);
  return `${now.year}-Q${Math.ceil(now.month / 3)}`;
}

export interface StepDates {
  today: string;
  yesterday: string;
  /** Working days after both today and the deadline, in order. */
  workdays: [string, string, string];
  /** A Saturday or Sunday after the deadline that is no working day. */
  weekend: string;
}

/** Dates for new deadlines of a task due on `dueOn`, read from the calendar the services use (call after stepEnv). */
export function datesAfter(dueOn: string): StepDates {
  const cal = loadWorkCalendar();
  const today = shanghaiDate(Date.now());
  const start = [today, dueOn].sort().at(-1) ?? today;
  const workdays: string[] = [];
  let weekend: string | undefined;
  for (let d = plus(start, 1); workdays.length < 3 || !weekend; d = plus(d, 1)) {
    if (cal.isWorkday(d)) workdays.push(d);
    else if (!weekend && DateTime.fromISO(d, { zone: ZONE }).weekday >= 6) weekend = d;
  }
  return { today, yesterday: plus(today, -1), workdays: workdays.slice(0, 3) as [string, string, string], weekend };
}
