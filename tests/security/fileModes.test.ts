import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { duty } from '../support/cli';
import { startSignInServer, type SignInServer } from './signInServer';

/** Finding 9: accounts, sessions and feed tokens were readable by every user on the host (0644). */
let server: SignInServer;
let file: (relative: string) => string;

beforeAll(async () => {
  server = await startSignInServer({ passwords: { 'p-admin': 'admin-password' } });
  file = (relative) => path.join(server.dataDir, relative);
  process.env.DUTY_DATA_DIR = server.dataDir;
});

afterAll(async () => {
  delete process.env.DUTY_DATA_DIR;
  await server.stop();
});

const modeOf = (relative: string) => (statSync(file(relative)).mode & 0o777).toString(8);
const SECRETS = ['auth/accounts.json', 'auth/sessions.json', 'feeds/tokens.json', 'audit.jsonl'];
const FOLDERS = ['.', 'auth', 'feeds'];

/** What the server and the CLI write in the course of their work: a sign-in, a token, a calendar feed. */
async function writeEverything(): Promise<void> {
  expect((await server.formLogin('p-admin', 'admin-password')).status).toBe(303);
  expect((await duty('user', 'token', 'create', 'p-admin')).code).toBe(0);
  expect((await duty('feed', 'create', 'p-admin')).code).toBe(0);
}

test('secrets and their folders are created readable by the server’s own user only', async () => {
  await writeEverything();
  expect(SECRETS.map(modeOf)).toEqual(['600', '600', '600', '600']);
  expect(FOLDERS.map(modeOf)).toEqual(['700', '700', '700']);
});

test('files and folders an older version left open to everyone are narrowed on the next write', async () => {
  for (const f of SECRETS) chmodSync(file(f), 0o644);
  for (const d of FOLDERS) chmodSync(file(d), 0o755);
  // A temp file a crash left behind keeps no old mode either.
  writeFileSync(`${file('auth/accounts.json')}.${process.pid}.tmp`, '{}', { mode: 0o644 });
  await writeEverything();
  expect(SECRETS.map(modeOf)).toEqual(['600', '600', '600', '600']);
  expect(FOLDERS.map(modeOf)).toEqual(['700', '700', '700']);
});
