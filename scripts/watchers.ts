import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { WorkCalendar } from '../src/calendar';
import type { Actor } from '../src/audit/log';
import { replanProvisional } from '../src/services/calendarReplan';
import type { ServerContext } from '../src/services/serverContext';
import { applyRosterChange } from '../src/services/taskSteps';
import { holidayFile, loadWorkCalendar } from '../src/sources/holidays';

/** How often the engine looks at roster.yaml and the holiday file; reading a modification time costs next to nothing. */
const CHECK_MS = 30_000;

const SYSTEM: Actor = { id: 'system', via: 'system' };

/**
 * Calls `act` whenever `stamp` changes, one call at a time; a failed call is retried at the next check. Returns the
 * function that stops watching.
 */
function onChange(stamp: () => unknown, act: () => Promise<void>, everyMs: number): () => void {
  let seen = stamp();
  let busy = false;
  const check = async () => {
    const now = stamp();
    if (now === seen || busy) return;
    busy = true;
    try {
      await act();
      seen = now;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check().catch(() => undefined), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The engine re-reads the roster when its file changes (the catalog source does that); here the open tasks of
 * people who left or moved units pass on by 转办 as soon as it does, not at the next `duty apply`.
 */
export function watchRoster(ctx: ServerContext, log: Logger, everyMs = CHECK_MS): () => void {
  return onChange(
    () => ctx.source.tree(),
    async () => {
      try {
        const { moved, stranded } = await applyRosterChange(ctx);
        log.info({ moved: moved.length, stranded: stranded.map((m) => m.taskId) }, 'roster changed; open tasks passed on');
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'roster changed but open tasks could not be passed on; retrying');
        throw err;
      }
    },
    everyMs,
  );
}

/**
 * New holiday data (a year added to the holiday file) reaches the worker's calendar in place and re-plans the open
 * provisional tasks. A refused file changes nothing: the last valid data keeps serving, and the error is logged.
 */
export function watchHolidays(ctx: ServerContext, calendar: WorkCalendar, log: Logger, everyMs = CHECK_MS): () => void {
  const file = holidayFile();
  return onChange(
    () => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0,
    async () => {
      let next: WorkCalendar;
      try {
        next = loadWorkCalendar();
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'holiday file refused; nothing re-planned');
        return;
      }
      calendar.replaceWith(next);
      const { moved, confirmed } = await replanProvisional(ctx, SYSTEM);
      log.info({ moved: moved.length, confirmed: confirmed.length }, 'holiday data changed; provisional tasks re-planned');
    },
    everyMs,
  );
}
