import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { bundle } from './support';

/**
 * dutyTask changed for this issue (figures in the memo on completion, a parent told on close, a parent may waive).
 * A history recorded with the code before the change — reminded, overdue, escalated, completed with figures —
 * must still replay, which is what the `completion-figures-memo` patch is for.
 */
test('a dutyTask history recorded before issue 3 replays on the current code', async () => {
  installRuntimeLogging(pino({ level: 'error' }));
  const bytes = readFileSync(path.join(__dirname, 'fixtures', 'dutyTask-before-issue3.history.bin'));
  const history = temporal.api.history.v1.History.decode(bytes);
  expect(history.events?.some((e) => e.workflowExecutionUpdateCompletedEventAttributes)).toBe(true);
  await Worker.runReplayHistory({ workflowBundle: await bundle() }, history, 'task:village-report:2027-03:v-pine');
});
