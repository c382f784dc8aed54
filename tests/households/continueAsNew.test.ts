import { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { householdInput, householdState, listHouseholds, writeHousehold } from '../../src/households/client';
import { recordDigest } from '../../src/households/digest';
import { householdWorkflowId } from '../../src/contracts/household';
import { SA } from '../../src/shared/searchAttributes';
import { resolveTemporalCli } from '../../tools/binaries';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { bundle, catalogDuties, householdWorker, record, tree, until } from './support';

/**
 * A household lives for years, so it continues as new when its history grows. The dev server is told to suggest
 * that after a few events, and the record, its episodes, memo and search attributes must all survive the hand-over.
 */
test('a household continues as new without losing its record, memo or search attributes', async () => {
  installRuntimeLogging(pino({ level: 'error' }));
  const cli = await resolveTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli.path ? { executable: { type: 'existing-path' as const, path: cli.path } } : {}),
      searchAttributes: Object.values(SA),
      ip: '127.0.0.1',
      ui: false,
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=12'],
    },
  });
  try {
    const h = await householdWorker(env, await bundle(), await catalogDuties());
    await h.worker.runUntil(async () => {
      const base = record({ householdId: 'H-LONG' });
      expect(await writeHousehold(h.client, h.taskQueue, tree, base, 'test')).toBe('created');
      const handle = h.client.workflow.getHandle(householdWorkflowId('H-LONG'));
      const firstRun = (await handle.describe()).runId;
      // Each change is an accepted update: a few of them pass the suggested history length.
      for (const types of [['因学'], ['因残'], ['因灾'], ['因疫'], ['因病', '因学']]) {
        expect(await writeHousehold(h.client, h.taskQueue, tree, { ...base, riskTypes: types }, 'test')).toBe('updated');
      }
      const last = { ...base, riskTypes: ['因病', '因学'] };
      await until(() => handle.describe(), (d) => d.runId !== firstRun);
      const s = await householdState(h.client, 'H-LONG');
      expect(s.record).toEqual(last);
      expect(s.events.filter((e) => e.action === 'updated')).toHaveLength(5);
      const listed = await until(() => listHouseholds(h.client), (l) => l.length === 1 && l[0]?.memo.digest === recordDigest(last));
      expect(listed[0]).toMatchObject({ villageId: 'v-pine', status: 'monitored' });
      // The same record once more is still recognised as unchanged by the new run.
      expect(await writeHousehold(h.client, h.taskQueue, tree, last, 'test')).toBe('unchanged');
      expect(householdInput(last, 'x').digest).toBe(listed[0]?.memo.digest);
    });
  } finally {
    await env.teardown();
  }
});
