import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_TARGET } from '@temporalio/client';
import { loadConnectionConfig } from '../../src/temporal/connection';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duty-conn-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('nothing configured: not explicit, so npm start runs its own server', () => {
  const config = loadConnectionConfig({ env: {}, configFile: path.join(tmp, 'missing.toml') });
  expect(config).toMatchObject({ address: LOCAL_TARGET, namespace: 'default', explicit: false });
});

test('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE make it explicit', () => {
  const config = loadConnectionConfig({ env: { TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'duty' } });
  expect(config).toMatchObject({ address: 'temporal.internal:7233', namespace: 'duty', explicit: true, origin: 'TEMPORAL_ADDRESS' });
});

test('a profile in the config file is explicit too', async () => {
  const file = path.join(tmp, 'temporal.toml');
  await fs.writeFile(file, '[profile.prod]\naddress = "prod.example:7233"\nnamespace = "duty-prod"\n');
  const config = loadConnectionConfig({ env: { TEMPORAL_PROFILE: 'prod' }, configFile: file });
  expect(config).toMatchObject({ address: 'prod.example:7233', namespace: 'duty-prod', explicit: true });
  expect(config.origin).toContain('profile "prod"');
});
