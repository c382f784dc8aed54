import { execFile } from 'node:child_process';
import path from 'node:path';
import { FileAuditLog } from '../../src/audit/fileLog';
import { REPO_ROOT } from '../../src/config';
import { request } from '../http/client';
import { login, PASSWORD, startStack, type Stack } from '../http/stack';
import { duty } from '../support/cli';

/** Finding 3: a password reset left the old cookie working on /api/me and /my for up to 7 days. */
const CADRE = 'p-xhz-cadre1';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ people: [CADRE, 'p-admin'] });
  process.env.DUTY_DATA_DIR = stack.settings.dataDir;
}, 90_000);

afterAll(async () => {
  delete process.env.DUTY_DATA_DIR;
  await stack?.stop();
});

/** The real `duty` binary in its own process, as an administrator would run it beside the live server. */
function dutyProcess(args: string[], input: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(REPO_ROOT, 'bin', 'duty.cjs'), ...args], { env: { ...process.env, DUTY_DATA_DIR: stack.settings.dataDir } }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
    child.stdin?.end(input);
  });
}

const get = (url: string, headers: Record<string, string>) => request(stack.baseUrl, 'GET', url, { headers });

/** What a cookie or a token still opens: the API, and the page (200, or 303 to the login page). */
async function reach(headers: Record<string, string>): Promise<[number, number]> {
  return [(await get('/api/me', headers)).status, (await get('/my', headers)).status];
}

const token = async () => (await duty('user', 'token', 'create', CADRE)).out.trim().split('\n').pop() ?? '';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

test('a password reset ends every session and token of that person at once, and no one else’s', async () => {
  const [cookie, admin, script] = [await login(stack.baseUrl, CADRE), await login(stack.baseUrl, 'p-admin'), await token()];
  expect(await reach({ cookie })).toEqual([200, 200]);
  expect((await get('/api/me', bearer(script))).status).toBe(200);

  const reset = await dutyProcess(['user', 'set-password', CADRE, '--password-stdin'], 'a-new-password-1\n');
  expect(reset).toMatchObject({ code: 0, out: expect.stringContaining('原有会话已全部结束,吊销令牌 1 个') });

  expect(await reach({ cookie })).toEqual([401, 303]);
  expect((await get('/api/me', bearer(script))).status).toBe(401);
  expect(await reach({ cookie: admin })).toEqual([200, 200]);
  await expect(login(stack.baseUrl, CADRE)).rejects.toThrow('401');
  const fresh = await login(stack.baseUrl, CADRE, 'a-new-password-1');
  expect(await reach({ cookie: fresh })).toEqual([200, 200]);
  await stack.accounts.setPassword(CADRE, PASSWORD);
});

test('`duty user logout-all` signs the person out on every device and revokes their tokens', async () => {
  const [phone, desktop, script] = [await login(stack.baseUrl, CADRE), await login(stack.baseUrl, CADRE), await token()];
  expect(await duty('user', 'logout-all', CADRE)).toMatchObject({ code: 0, out: expect.stringContaining('原有会话已全部结束,吊销令牌 1 个') });
  expect([await reach({ cookie: phone }), await reach({ cookie: desktop })]).toEqual([
    [401, 303],
    [401, 303],
  ]);
  expect((await get('/api/me', bearer(script))).status).toBe(401);
  // The password stays: signing in again works.
  expect(await reach({ cookie: await login(stack.baseUrl, CADRE) })).toEqual([200, 200]);
});

test('`duty user disable` refuses the password like a wrong one and ends everything; a new password opens it again', async () => {
  const [cookie, script] = [await login(stack.baseUrl, CADRE), await token()];
  expect(await duty('user', 'disable', CADRE)).toMatchObject({ code: 0, out: expect.stringContaining(`已停用账号 ${CADRE}`) });
  expect(await reach({ cookie })).toEqual([401, 303]);
  expect((await get('/api/me', bearer(script))).status).toBe(401);
  const refused = await request(stack.baseUrl, 'POST', '/api/login', { json: { personId: CADRE, password: PASSWORD } });
  expect([refused.status, refused.json()]).toEqual([401, { error: '人员编号或密码错误' }]);
  expect(await duty('user', 'token', 'create', CADRE)).toMatchObject({ code: 2, err: expect.stringContaining('账号已停用') });
  expect((await duty('user', 'list')).out).toContain('已停用');
  expect(await duty('user', 'disable', 'p-qh-sup')).toMatchObject({ code: 2, err: expect.stringContaining('p-qh-sup 还没有账号') });

  expect((await dutyProcess(['user', 'set-password', CADRE, '--password-stdin'], 'reopened-password-1\n')).code).toBe(0);
  expect(await reach({ cookie: await login(stack.baseUrl, CADRE, 'reopened-password-1') })).toEqual([200, 200]);
});

test('each of these is audited as an account change, under the CLI operator', async () => {
  const entries = await FileAuditLog.inDataDir(stack.settings.dataDir).list({ target: CADRE });
  expect(entries.map((e) => [e.action, e.via, e.unitId])).toEqual([
    ['account.set-password', 'cli', 'v-xiaohezui'],
    ['account.disable', 'cli', 'v-xiaohezui'],
    ['account.logout-all', 'cli', 'v-xiaohezui'],
    ['account.set-password', 'cli', 'v-xiaohezui'],
  ]);
  expect(entries[1]?.detail).toEqual({ tokensRevoked: 1 });
});
