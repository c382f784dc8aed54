import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileAuditLog } from '../../src/audit/fileLog';
import { accountStore } from '../../src/auth/accounts';
import { CliContext } from '../../src/cli/context';
import { REPO_ROOT } from '../../src/config';
import { createAdmin, createToken, listAccounts, listTokens, revokeToken, setAccountPassword } from '../../src/services/accounts';
import { duty } from '../support/cli';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-users-'));

/** The real `duty` binary in a child process, where --password-stdin reads a real pipe. */
function dutyWithStdin(args: string[], input: string) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'duty.cjs'), ...args], { input, env: { ...process.env, DUTY_DATA_DIR: tmp }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  process.env.DUTY_DATA_DIR = tmp;
});

afterAll(() => {
  delete process.env.DUTY_DATA_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

test('the first administrator is created from the CLI, once, and only for an admin in the roster', async () => {
  expect(await duty('user', 'create-admin', 'p-qh-sup', '--password-stdin')).toMatchObject({ code: 2, err: expect.stringContaining('没有管理员(admin)角色') });
  expect(dutyWithStdin(['user', 'create-admin', 'p-admin', '--password-stdin'], 'short\n')).toMatchObject({ code: 2, err: expect.stringContaining('密码(password)至少 8 位') });
  expect(dutyWithStdin(['user', 'create-admin', 'p-admin', '--password-stdin'], 'long-enough-1\n')).toMatchObject({ code: 0, out: expect.stringContaining('已创建管理员账号 p-admin') });
  expect(await duty('user', 'create-admin', 'p-admin', '--password-stdin')).toMatchObject({ code: 2, err: expect.stringContaining('已有账号') });
  // Without a terminal and without --password-stdin nothing is read silently.
  expect(await duty('user', 'set-password', 'p-qh-sup')).toMatchObject({ code: 2, err: expect.stringContaining('--password-stdin') });
  expect(dutyWithStdin(['user', 'set-password', 'p-qh-sup', '--password-stdin'], 'supervisor-pw\n')).toMatchObject({ code: 0, out: expect.stringContaining('已开通账号 p-qh-sup') });
  const store = accountStore({ kind: 'files', dataDir: tmp });
  await expect(store.verify('p-admin', 'long-enough-1')).resolves.toBe(true);
  await expect(store.verify('p-qh-sup', 'supervisor-pw')).resolves.toBe(true);
  expect(readFileSync(path.join(tmp, 'auth', 'accounts.json'), 'utf8')).not.toContain('long-enough-1');
});

test('tokens are created once, listed without the secret, revoked, and every change is audited', async () => {
  const created = await duty('user', 'token', 'create', 'p-qh-sup', '--label', '周报脚本');
  const token = created.out.trim().split('\n').pop() ?? '';
  expect(token).toMatch(/^dt_[0-9a-f]{12}_[\w-]{43}$/);
  const id = token.slice(3, 15);
  await expect(accountStore({ kind: 'files', dataDir: tmp }).resolveToken(token)).resolves.toBe('p-qh-sup');
  expect((await duty('user', 'token', 'list')).out).not.toContain(token.slice(16));
  expect((await duty('user', 'token', 'revoke', id)).code).toBe(0);
  await expect(accountStore({ kind: 'files', dataDir: tmp }).resolveToken(token)).resolves.toBeUndefined();
  expect(await duty('user', 'token', 'revoke', id)).toMatchObject({ code: 2, err: expect.stringContaining('找不到有效的令牌') });
  const audit = await duty('audit', '--json');
  const actions = (JSON.parse(audit.out) as { action: string }[]).map((e) => e.action);
  expect(actions).toEqual(['token.revoke', 'token.create', 'account.set-password', 'account.create-admin']);
  expect(audit.out).not.toContain(token.slice(16));
});

test('many tokens resolve, whatever characters their secrets hold', async () => {
  const store = accountStore({ kind: 'files', dataDir: tmp });
  const made = [];
  for (let i = 0; i < 50; i++) made.push(await store.createToken('p-admin', 'x'));
  expect(await Promise.all(made.map(({ token }) => store.resolveToken(token)))).toEqual(made.map(() => 'p-admin'));
  await expect(store.resolveToken(`${made[0]?.token ?? ''}x`)).resolves.toBeUndefined();
});

test('the account services audit each change under the actor given, and keep secrets out of the audit and the listings', async () => {
  const ctx = new CliContext();
  const actor = { id: 'p-admin', via: 'http' as const };
  const refusedBeforeAsking = () => Promise.reject(new Error('the password must not be asked for'));
  await expect(createAdmin(ctx, actor, 'p-admin', refusedBeforeAsking)).rejects.toThrow('已有账号');
  await expect(setAccountPassword(ctx, actor, 'p-xhz-cadre1', async () => 'cadre-password-1')).resolves.toMatchObject({ role: 'cadre', created: true });
  const token = await createToken(ctx, actor, 'p-xhz-cadre1', '对账脚本');
  await revokeToken(ctx, actor, token.id);

  const entries = await FileAuditLog.inDataDir(tmp).list({ actor: 'p-admin' });
  expect(entries.map((e) => [e.action, e.target, e.via, e.unitId])).toEqual([
    ['token.revoke', token.id, 'http', 'v-xiaohezui'],
    ['token.create', token.id, 'http', 'v-xiaohezui'],
    ['account.set-password', 'p-xhz-cadre1', 'http', 'v-xiaohezui'],
  ]);
  expect(entries[1]?.detail).toEqual({ personId: 'p-xhz-cadre1', label: '对账脚本' });
  const audit = readFileSync(path.join(tmp, 'audit.jsonl'), 'utf8');
  expect(audit).not.toContain('cadre-password-1');
  expect(audit).not.toContain(token.token.slice(16));
  const accounts = await listAccounts(ctx);
  expect(accounts.map((a) => a.personId)).toContain('p-xhz-cadre1');
  expect(accounts.some((a) => 'passwordHash' in a)).toBe(false);
  const listed = (await listTokens(ctx)).find((t) => t.id === token.id);
  expect(listed).toEqual(expect.not.objectContaining({ secretHash: expect.anything() }));
  expect(listed?.revokedAt).toBeDefined();
  await ctx.close();
});
