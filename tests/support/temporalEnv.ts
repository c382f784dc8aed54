import { TestWorkflowEnvironment } from '@temporalio/testing';
import { noBinaryError, resolveTemporalCli, resolveTestServer, type ResolvedBinary } from '../../tools/binaries';
import { SA, SEARCH_ATTRIBUTE_TYPES } from '../../src/shared/searchAttributes';
import { indexedValueType } from '../../src/temporal/searchAttributes';

function executable(resolved: ResolvedBinary): { executable?: { type: 'existing-path'; path: string } } {
  // No path means 'sdk-download': leave `executable` out so the SDK downloads its default version.
  return resolved.path ? { executable: { type: 'existing-path', path: resolved.path } } : {};
}

/**
 * The Java time-skipping test server: for timer logic. No schedules, no visibility queries.
 * It rejects unknown search attributes and cannot list them, so ours are added blindly.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const resolved = await resolveTestServer();
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: executable(resolved) });
  } catch (err) {
    throw resolved.path ? err : noBinaryError('test-server', err);
  }
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, indexedValueType(type)])),
    });
  } catch (err) {
    await env.teardown(); // the caller never gets the env, so it could not stop the server
    throw err;
  }
  return env;
}

/** A real dev server (in memory) with the project's search attributes: for schedules, reports, visibility. */
export async function createDevServerEnv(opts: { namespace?: string } = {}): Promise<TestWorkflowEnvironment> {
  const resolved = await resolveTemporalCli();
  try {
    return await TestWorkflowEnvironment.createLocal({
      server: {
        ...executable(resolved),
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
        // createLocal turns typed keys into `--search-attribute Name=Type` flags.
        searchAttributes: Object.values(SA),
        ip: '127.0.0.1',
        ui: false,
        // The SDK passes --log-level from here itself; a second one in extraArgs would only repeat the flag.
        log: { format: 'pretty', level: 'error' },
      },
    });
  } catch (err) {
    throw resolved.path ? err : noBinaryError('cli', err);
  }
}
