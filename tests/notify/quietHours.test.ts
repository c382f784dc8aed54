import { msUntilWorkingHours } from '../../activities/notify';
import { loadWorkCalendar } from '../../src/sources/holidays';

const calendar = loadWorkCalendar();
const at = (iso: string) => new Date(iso);

test.each([
  ['a working morning', '2026-03-16T09:00:00+08:00', 0],
  ['18:00 sharp, the usual deadline', '2026-03-16T18:00:00+08:00', 0],
  ['late evening waits for 08:00 next working day', '2026-03-16T22:30:00+08:00', 9.5 * 3600_000],
  ['early morning waits for 08:00 the same day', '2026-03-17T06:00:00+08:00', 2 * 3600_000],
  ['Saturday waits for Monday 08:00', '2026-03-21T10:00:00+08:00', (46 * 3600_000)],
  ['Spring Festival waits for the first working day after it', '2026-02-16T10:00:00+08:00', (8 * 24 - 2) * 3600_000],
  ['make-up Saturday 2026-02-14 is a working day', '2026-02-14T10:00:00+08:00', 0],
])('%s', (_name, instant, expected) => {
  expect(msUntilWorkingHours(at(instant), calendar)).toBe(expected);
});
