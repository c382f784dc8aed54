import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FileAuditLog } from '../../src/audit/fileLog';
import { SELF_DISABLE_REFUSED } from '../../src/services/accounts';
import { request, type Reply } from './client';
import { login, startStack, type Stack } from './stack';

/** The 账号 page on the real stack: every action through the page, its audit entry, and what it does to live sign-ins. */
const ADMIN = 'p-admin';
const SUP = 'p-qh-sup';
const CADRE = 'p-xhz-cadre1';

let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack({ people: [ADMIN, SUP, CADRE] });
  admin = await login(stack.baseUrl, ADMIN);
}, 120_000);

afterAll(() => stack?.stop());

const get = (url: string, cookie = admin) => request(stack.baseUrl, 'GET', url, { headers: { cookie } });
const post = (url: string, form: Record<string, string>, headers: Record<string, string> = { cookie: admin }) => request(stack.baseUrl, 'POST', url, { form, headers });
const status = async (headers: Record<string, string>) => (await request(stack.baseUrl, 'GET', '/api/me', { headers })).status;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const password = (pw: string) => ({ password: pw, password2: pw });
const confirmed = { confirm: 'yes' };
const latest = async (target: string) => (await FileAuditLog.inDataDir(stack.settings.dataDir).list({ target }))[0];
const rowOf = (page: Reply, personId: string) => {
  const start = page.text.indexOf(`<tr id="person-${personId}"`);
  return start < 0 ? '' : page.text.slice(start, page.text.indexOf('</tr>', start));
};
const refusedLogin = async (personId: string, pw: string) => (await request(stack.baseUrl, 'POST', '/api/login', { json: { personId, password: pw } })).status;

test('the roster with account state, sessions and tokens; filtered by unit and text', async () => {
  await login(stack.baseUrl, CADRE);
  await stack.accounts.createToken(CADRE, '脚本');
  const page = await get('/accounts');
  expect(page.status).toBe(200);
  expect(page.text).toContain('<a href="/accounts" class="on">账号</a>');
  expect(rowOf(page, CADRE)).toContain('data-state="active"');
  expect(rowOf(page, CADRE)).toContain('<td data-label="会话/令牌">1 / 1</td>');
  expect(rowOf(page, CADRE)).toMatch(/<td data-label="最近登录">\d{4}-\d\d-\d\d \d\d:\d\d<\/td>/);
  expect(rowOf(page, 'p-hx-cadre1')).toContain('data-state="none"');
  expect(rowOf(page, 'p-hx-cadre1')).toContain('href="/accounts/p-hx-cadre1#open">开通账号</a>');
  // One's own row offers no 停用.
  expect(rowOf(page, ADMIN)).toContain('#reset">重置密码');
  expect(rowOf(page, ADMIN)).not.toContain('#disable');

  const township = await get('/accounts?unit=t-qionghu');
  expect(rowOf(township, CADRE)).not.toBe('');
  expect(rowOf(township, SUP)).not.toBe('');
  expect(rowOf(township, 'p-hx-cadre1')).toBe('');
  const byName = await get(`/accounts?q=${encodeURIComponent('罗建平')}`);
  expect(byName.text.match(/<tr id="person-/g)).toHaveLength(1);
  expect(byName.text).toContain('共 1 人:有账号 1,已停用 0,无账号 0。');
  const unknownUnit = await get('/accounts?unit=t-nowhere');
  expect([unknownUnit.status, unknownUnit.text.includes('找不到单位: t-nowhere')]).toEqual([404, true]);
});

test('only administrators: others get 403 and no 账号 entry in the menu, and cannot post', async () => {
  for (const personId of [SUP, CADRE]) {
    const cookie = await login(stack.baseUrl, personId);
    const page = await get('/accounts', cookie);
    expect([page.status, page.text.includes('当前账号的角色无权查看此页')]).toEqual([403, true]);
    expect((await get('/my', cookie)).text).not.toContain('href="/accounts"');
    expect((await post('/accounts/p-hx-cadre1/open', password('sneaky-password-1'), { cookie })).status).toBe(403);
  }
  await expect(stack.accounts.get('p-hx-cadre1')).resolves.toBeUndefined();
});

test('开通账号: a password made up by the system is shown once; one typed by the admin works too; both audited', async () => {
  const made = await post('/accounts/p-hx-cadre1/open', { password: '', password2: '' });
  expect(made.status).toBe(200);
  const shown = /id="new-password"[^>]*>密码\(只显示这一次\):<code>([a-z2-9]{12})<\/code>/.exec(made.text)?.[1] ?? '';
  expect(shown).not.toBe('');
  expect(await status({ cookie: await login(stack.baseUrl, 'p-hx-cadre1', shown) })).toBe(200);
  expect((await get('/accounts/p-hx-cadre1')).text).not.toContain(shown);
  expect(await latest('p-hx-cadre1')).toMatchObject({ action: 'account.set-password', actor: ADMIN, via: 'http', unitId: 'v-hongxing', detail: { created: true, tokensRevoked: 0 } });

  const typed = await post('/accounts/p-hx-cadre2/open', password('typed-password-1'));
  expect([typed.status, typed.headers.location]).toEqual([303, '/accounts/p-hx-cadre2?ok=open']);
  expect((await get('/accounts/p-hx-cadre2?ok=open')).text).toContain('已开通账号');
  expect(await status({ cookie: await login(stack.baseUrl, 'p-hx-cadre2', 'typed-password-1') })).toBe(200);
  // A page left open cannot reset an account it thinks is not there.
  const again = await post('/accounts/p-hx-cadre2/open', password('other-password-1'));
  expect([again.status, again.text.includes('p-hx-cadre2(林秀英)的账号正在使用,不能开通账号')]).toEqual([400, true]);
});

test('重置密码 needs the confirmation, then ends the person’s sessions and tokens at once', async () => {
  const cookie = await login(stack.baseUrl, CADRE);
  const { token } = await stack.accounts.createToken(CADRE, '周报脚本');
  const unconfirmed = await post(`/accounts/${CADRE}/reset`, password('reset-password-2'));
  expect([unconfirmed.status, unconfirmed.text.includes('请先勾选确认:重置密码会立即结束此人的全部会话和访问令牌')]).toEqual([400, true]);
  expect([await status({ cookie }), await status(bearer(token))]).toEqual([200, 200]);

  const page = await get(`/accounts/${CADRE}`);
  expect(page.text).toMatch(/现有 3 个会话\),2 个访问令牌立即吊销/);
  const reset = await post(`/accounts/${CADRE}/reset`, { ...password('reset-password-2'), ...confirmed });
  expect([reset.status, reset.headers.location]).toEqual([303, `/accounts/${CADRE}?ok=reset`]);
  expect([await status({ cookie }), await status(bearer(token))]).toEqual([401, 401]);
  expect((await get('/my', cookie)).headers.location).toBe('/login?next=%2Fmy');
  expect(await refusedLogin(CADRE, 'test-password-1')).toBe(401);
  expect(await status({ cookie: await login(stack.baseUrl, CADRE, 'reset-password-2') })).toBe(200);
  expect(await latest(CADRE)).toMatchObject({ action: 'account.set-password', actor: ADMIN, via: 'http', unitId: 'v-xiaohezui', detail: { created: false, tokensRevoked: 2 } });
});

test('停用 needs the confirmation and ends sessions and tokens at once; 重新启用 opens it with a new password', async () => {
  const cookie = await login(stack.baseUrl, CADRE, 'reset-password-2');
  const { token } = await stack.accounts.createToken(CADRE, '周报脚本');
  expect((await post(`/accounts/${CADRE}/disable`, {})).text).toContain('请先勾选确认:停用会立即结束此人的全部会话和访问令牌');
  expect([await status({ cookie }), await status(bearer(token))]).toEqual([200, 200]);

  const disabled = await post(`/accounts/${CADRE}/disable`, confirmed);
  expect([disabled.status, disabled.headers.location]).toEqual([303, `/accounts/${CADRE}?ok=disable`]);
  expect([await status({ cookie }), await status(bearer(token))]).toEqual([401, 401]);
  expect(await refusedLogin(CADRE, 'reset-password-2')).toBe(401);
  expect(await latest(CADRE)).toMatchObject({ action: 'account.disable', actor: ADMIN, via: 'http', detail: { tokensRevoked: 1 } });
  const row = rowOf(await get('/accounts'), CADRE);
  expect(row).toContain('data-state="disabled"');
  expect(row).toContain('#enable">重新启用</a>');
  expect(row).not.toContain('#reset');

  const short = await post(`/accounts/${CADRE}/enable`, password('short'));
  expect([short.status, short.text.includes('密码(password)至少 8 位')]).toEqual([400, true]);
  const enabled = await post(`/accounts/${CADRE}/enable`, password('enabled-password-3'));
  expect([enabled.status, enabled.headers.location]).toEqual([303, `/accounts/${CADRE}?ok=enable`]);
  expect(await status({ cookie: await login(stack.baseUrl, CADRE, 'enabled-password-3') })).toBe(200);
  expect(await status({ cookie })).toBe(401);
  expect(await latest(CADRE)).toMatchObject({ action: 'account.enable', actor: ADMIN, via: 'http', unitId: 'v-xiaohezui' });
  const again = await post(`/accounts/${CADRE}/enable`, password('enabled-password-4'));
  expect([again.status, again.text.includes('的账号正在使用,不能重新启用')]).toEqual([400, true]);
});

test('bad input gets a Chinese error and changes nothing', async () => {
  const accountsFile = path.join(stack.settings.dataDir, 'auth', 'accounts.json');
  const before = readFileSync(accountsFile, 'utf8');
  const audited = (await FileAuditLog.inDataDir(stack.settings.dataDir).list()).length;
  const refusals: [string, Record<string, string>, number, string][] = [
    ['/accounts/p-tj-cadre1/open', password('short'), 400, '密码(password)至少 8 位'],
    ['/accounts/p-tj-cadre1/open', { password: 'first-password-1', password2: 'other-password-1' }, 400, '两次输入的密码不一致'],
    ['/accounts/p-tj-cadre1/reset', { ...password('valid-password-1'), ...confirmed }, 400, 'p-tj-cadre1(梁永福)还没有账号,不能重置密码'],
    ['/accounts/p-nobody/open', password('valid-password-1'), 404, '找不到人员: p-nobody'],
    [`/accounts/${ADMIN}/disable`, confirmed, 400, SELF_DISABLE_REFUSED],
  ];
  for (const [url, form, code, message] of refusals) {
    const res = await post(url, form);
    expect([url, res.status, res.text.includes(message)]).toEqual([url, code, true]);
  }
  // A form another site makes the admin's browser send is refused before it reaches the page.
  const crossSite = await post(`/accounts/${SUP}/disable`, confirmed, { cookie: admin, 'sec-fetch-site': 'cross-site' });
  expect([crossSite.status, crossSite.text.includes('请求来源与本站不符')]).toEqual([403, true]);
  expect((await get('/accounts/p-nobody')).status).toBe(404);

  expect(readFileSync(accountsFile, 'utf8')).toBe(before);
  expect(await FileAuditLog.inDataDir(stack.settings.dataDir).list()).toHaveLength(audited);
  expect(await status({ cookie: admin })).toBe(200);
  const own = await get(`/accounts/${ADMIN}`);
  expect(own.text).not.toContain(`action="/accounts/${ADMIN}/disable"`);
  expect(own.text).toContain(SELF_DISABLE_REFUSED);
});
