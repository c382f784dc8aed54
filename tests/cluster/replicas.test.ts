import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config';
import { closeStoreBackends } from '../../src/store/backend';
import { clusterKit, type ClusterKit } from './support/shared';

/**
 * Two HTTP replicas, each with its own data folder: a session made on one is known to the other only because
 * sessions live in the shared PostgreSQL (DUTY_DATABASE_URL).
 */
let kit: ClusterKit;
beforeAll(async () => {
  kit = await clusterKit();
});
afterAll(async () => {
  await kit?.close();
  await closeStoreBackends();
});

const PASSWORD = 'cluster-admin-pw-1';

test('signed in on replica A, acting on replica B, signed out on B is signed out on A', async () => {
  // The operator's `duty`, sourcing the env file, in a process of its own (--password-stdin reads a real pipe).
  const made = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'duty.cjs'), 'user', 'create-admin', 'p-admin', '--password-stdin'], { input: `${PASSWORD}\n`, env: process.env, encoding: 'utf8' });
  expect(made.stderr).toBe('');
  expect(made.stdout).toContain('已创建管理员账号 p-admin');
  const [a, b] = [kit.layout.ports.http['http-a'], kit.layout.ports.http['http-b']].map((port) => `http://${kit.layout.host}:${port}`);

  const login = await fetch(`${a}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: 'p-admin', password: PASSWORD }) });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  expect(cookie).toContain('duty_sid=');

  const me = await fetch(`${b}/api/me`, { headers: { cookie } });
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ personId: 'p-admin', role: 'admin' });
  expect((await fetch(`${b}/api/logout`, { method: 'POST', headers: { cookie } })).status).toBe(200);
  expect((await fetch(`${a}/api/me`, { headers: { cookie } })).status).toBe(401);
});
