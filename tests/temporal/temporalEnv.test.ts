import { createDevServerEnv, createTimeSkippingEnv } from '../support/temporalEnv';

test('createTimeSkippingEnv starts the time-skipping server', async () => {
  const env = await createTimeSkippingEnv();
  try {
    expect(env.supportsTimeSkipping).toBe(true);
    const before = await env.currentTimeMs();
    await env.sleep('1 day');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(86_400_000);
  } finally {
    await env.teardown();
  }
});

test('createDevServerEnv registers the project search attributes', async () => {
  const env = await createDevServerEnv({ namespace: 'duty-env' });
  try {
    const res = await env.connection.operatorService.listSearchAttributes({ namespace: 'duty-env' });
    expect(Object.keys(res.customAttributes ?? {})).toEqual(expect.arrayContaining(['DutyId', 'DutyUnitPath', 'DutyDueAt']));
  } finally {
    await env.teardown();
  }
});
