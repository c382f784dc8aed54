import type { AuditEntry } from '../../src/audit/log';
import type { TaskState } from '../../src/contracts/dutyTask';
import { TaskStateSchema } from '../../src/http/api/schemas';
import { sha256Of } from '../../src/store/evidence';
import { jpegWithExif, pdf } from '../evidence/fixtures';
import { login, startStack, type Stack } from './stack';
import { currentQuarter, datesAfter, REVIEWED, stepEnv, type StepDates, type StepEnv } from './stepFixtures';

/**
 * The 督办 steps over HTTP, against a real Temporal dev server and worker: the JSON (and multipart) API, and the task
 * page's forms. Every refusal is in Chinese and leaves the task as it was; a task outside the caller's jurisdiction
 * is "not found"; a closed task says who closed it and when.
 */

/** This quarter's disclosure, so its deadline lies ahead whenever the test runs. */
const QUARTER = currentQuarter();
const task = (unit: string) => `task:${REVIEWED}:${QUARTER}:${unit}`;
const MICRO = 'micro-credit-overdue-check';
const microTask = `task:${MICRO}:2026-11:t-qionghu`;
const PEOPLE = ['p-admin', 'p-qh-sup', 'p-cw-sup', 'p-sjh-sup', 'p-xhz-cadre1', 'p-xhz-cadre2', 'p-tj-cadre1', 'p-qh-cadre1', 'p-hx-cadre1', 'p-xs-cadre1'];

let env: StepEnv;
let stack: Stack;
let dates: StepDates;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  env = stepEnv();
  stack = await startStack({ people: PEOPLE });
  await stack.openPeriod(REVIEWED, QUARTER);
  await stack.openPeriod(MICRO, '2026-11');
  for (const p of PEOPLE) cookies[p] = await login(stack.baseUrl, p);
  dates = datesAfter((await state(task('v-xiaohezui'))).dueOn);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  env?.restore();
});

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  location: string | null;
}

async function send(who: string, method: string, url: string, o: { json?: unknown; form?: Record<string, string>; multipart?: FormData; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { cookie: cookies[who] ?? '', ...o.headers };
  let body: string | FormData | undefined;
  if (o.json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(o.json)];
  if (o.form) [headers['content-type'], body] = ['application/x-www-form-urlencoded', new URLSearchParams(o.form).toString()];
  if (o.multipart) body = o.multipart;
  const res = await fetch(`${stack.baseUrl}${url}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  return { status: res.status, body: json, text, location: res.headers.get('location') };
}

const api = (who: string, taskId: string, step: string, json?: unknown) => send(who, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/${step}`, json === undefined ? {} : { json });
const page = (who: string, taskId: string) => send(who, 'GET', `/tasks/${encodeURIComponent(taskId)}`);
const post = (who: string, taskId: string, step: string, form: Record<string, string>, headers?: Record<string, string>) =>
  send(who, 'POST', `/tasks/${encodeURIComponent(taskId)}/${step}`, { form, headers: { accept: 'text/html', ...headers } });

async function state(taskId: string): Promise<TaskState> {
  const res = await send('p-admin', 'GET', `/api/tasks/${encodeURIComponent(taskId)}`);
  expect(res.status).toBe(200);
  return res.body as TaskState;
}

/** Everything a step could change; notices sent meanwhile (reminders) do not count. */
async function facts(taskId: string): Promise<Omit<TaskState, 'deliveries'>> {
  const s: Partial<TaskState> = await state(taskId);
  delete s.deliveries;
  return s as Omit<TaskState, 'deliveries'>;
}

/** Each refusal in `cases` answers `status` with a Chinese message matching `words`, and the task stays as it was. */
async function refusedAlike(taskId: string, cases: [() => Promise<Answer>, number, RegExp][]) {
  const before = await facts(taskId);
  for (const [attempt, status, words] of cases) {
    const res = await attempt();
    expect({ status: res.status, text: res.text }).toEqual({ status, text: expect.stringMatching(words) });
  }
  expect(await facts(taskId)).toEqual(before);
}

function files(fields: Record<string, string>, uploads: { name: string; data: Buffer; type: string }[]): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const u of uploads) form.append('files', new Blob([u.data], { type: u.type }), u.name);
  return form;
}

describe('the API', () => {
  test('签收 is recorded once, by the signed-in person; progress carries a note, figures and a photo', async () => {
    const id = task('v-xiaohezui');
    const first = await api('p-xhz-cadre1', id, 'ack');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ acknowledged: { by: 'p-xhz-cadre1' } });
    expect(first.body.flags).not.toContain('unacknowledged');
    const again = await api('p-xhz-cadre2', id, 'ack');
    expect(again.body.acknowledged).toEqual(first.body.acknowledged);
    expect(again.body.events.filter((e: { action: string }) => e.action === 'acknowledged')).toHaveLength(1);

    const json = await api('p-xhz-cadre2', id, 'progress', { note: '已收集本季度台账', fields: { disclosureChannel: '村务公开栏' } });
    expect(json.status).toBe(200);
    expect(json.body.progress).toMatchObject({ by: 'p-xhz-cadre2', note: '已收集本季度台账', fields: { disclosureChannel: '村务公开栏' } });
    expect(json.body.flags).toContain('progress');

    const photo = jpegWithExif({ takenAt: '2026:11:30 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] });
    const multipart = await send('p-xhz-cadre1', 'POST', `/api/tasks/${encodeURIComponent(id)}/progress`, {
      multipart: files({ note: '公开栏已张贴', 'f.disclosureChannel': '公开栏' }, [{ name: '公开栏.jpg', data: photo, type: 'image/jpeg' }]),
    });
    expect(multipart.status).toBe(200);
    expect(multipart.body.progress).toMatchObject({
      by: 'p-xhz-cadre1',
      note: '公开栏已张贴',
      fields: { disclosureChannel: '公开栏' },
      attachments: [{ sha256: sha256Of(photo), name: '公开栏.jpg', kind: 'image', exif: { takenAt: '2026-11-30T10:15:30+08:00' } }],
    });
    // The response schema of the OpenAPI document keeps every field of the state.
    expect(TaskStateSchema.parse(multipart.body)).toEqual(multipart.body);

    await refusedAlike(id, [
      [() => api('p-xhz-cadre1', id, 'progress', { note: '  ' }), 400, /进展情况\(note\)不能为空/],
      [() => api('p-xhz-cadre1', id, 'progress', { note: '说明', by: 'p-admin' }), 400, /"field":"body.by","message":"未知字段"/],
      [() => api('p-xhz-cadre1', id, 'progress', { note: '说明', fields: { disclosedOn: '2026-13-45' } }), 422, /公开日期/],
    ]);
  });

  test('an extension request is refused, field by field, for a past date, a weekend, a holiday, or a reason empty or too long', async () => {
    const id = task('v-xiaohezui');
    const { dueOn } = await state(id);
    const ask = (dueOnAsked: string, reason: string) => api('p-xhz-cadre1', id, 'extension', { dueOn: dueOnAsked, reason });
    await refusedAlike(id, [
      [() => ask(dates.yesterday, '台账未齐'), 400, new RegExp(`"field":"dueOn","message":"不能早于今天\\(${dates.today}\\)"`)],
      [() => ask(dates.weekend, '台账未齐'), 400, new RegExp(`${dates.weekend} 不是工作日`)],
      [() => ask(env.holiday, '台账未齐'), 400, new RegExp(`${env.holiday} 不是工作日`)],
      [() => ask(dueOn, '台账未齐'), 400, new RegExp(`须晚于当前截止日 ${dueOn}`)],
      [() => ask('2026-02-30', '台账未齐'), 400, /应为 YYYY-MM-DD 格式的有效日期/],
      [() => ask(dates.workdays[1], ''), 400, /"field":"reason","message":"延期原因不能为空"/],
      [() => ask(dates.workdays[1], 'x'.repeat(10_000)), 400, /延期原因最多 500 字,收到 10000 字/],
      // Ten thousand Chinese characters do not fit the request size of a step at all.
      [() => ask(dates.workdays[1], '因'.repeat(10_000)), 413, /请求体过大/],
      [() => api('p-xhz-cadre1', id, 'extension', { dueOn: dates.workdays[1] }), 400, /"field":"body.reason"/],
    ]);
  });

  test('an extension is asked for once, decided only by a supervisor of the unit, and may be shortened, not lengthened', async () => {
    const id = task('v-xiaohezui');
    const original = (await state(id)).dueOn;
    const [shorter, asked, later] = dates.workdays;
    const requested = await api('p-xhz-cadre1', id, 'extension', { dueOn: asked, reason: '村委换届,台账待移交' });
    expect(requested.status).toBe(200);
    expect(requested.body.extension).toMatchObject({ originalDueOn: original, granted: 0, pending: { by: 'p-xhz-cadre1', dueOn: asked, reason: '村委换届,台账待移交' } });
    expect(requested.body.flags).toContain('extensionRequested');

    await refusedAlike(id, [
      [() => api('p-xhz-cadre2', id, 'extension', { dueOn: later, reason: '再申请' }), 422, /已有延期申请/],
      [() => api('p-xhz-cadre1', id, 'extension/decision', { approve: true }), 403, /p-xhz-cadre1 无权审批此任务的延期申请/],
      [() => api('p-cw-sup', id, 'extension/decision', { approve: true }), 404, /找不到任务/],
      [() => api('p-qh-sup', id, 'extension/decision', { approve: true, dueOn: later }), 400, new RegExp(`不能晚于申请的 ${asked}`)],
      [() => api('p-qh-sup', id, 'extension/decision', { approve: false, reason: ' ' }), 400, /驳回原因不能为空/],
      [() => api('p-qh-sup', id, 'extension/decision', { approve: 'yes' }), 400, /"field":"body.approve"/],
    ]);

    const approved = await api('p-qh-sup', id, 'extension/decision', { approve: true, dueOn: shorter, reason: '缩短一天' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ dueOn: shorter, status: 'open', extension: { originalDueOn: original, granted: 1, lastDecision: { by: 'p-qh-sup', approved: true, dueOn: shorter } } });
    expect(approved.body.extension.pending).toBeUndefined();
    expect(approved.body.flags).toContain('extended');

    // A second request is rejected with a reason; the deadline stays.
    await api('p-xhz-cadre1', id, 'extension', { dueOn: later, reason: '仍需时间' });
    const rejected = await api('p-qh-sup', id, 'extension/decision', { approve: false, reason: '时间充足' });
    expect(rejected.body).toMatchObject({ dueOn: shorter, extension: { granted: 1, lastDecision: { approved: false, reason: '时间充足' } } });
  });

  test('a completion waits for review: the assignee and admins cannot review their own, a return needs a reason, then it closes', async () => {
    const id = task('v-tuanjie');
    const submitted = await api('p-tj-cadre1', id, 'complete', { fields: { disclosedOn: dates.today }, note: '已公开' });
    expect(submitted.body).toMatchObject({ status: 'review', completion: { by: 'p-tj-cadre1' } });

    await refusedAlike(id, [
      [() => api('p-tj-cadre1', id, 'review', { accept: true }), 403, /p-tj-cadre1 无权审核此任务/],
      [() => api('p-cw-sup', id, 'review', { accept: true }), 404, /找不到任务/],
      [() => api('p-qh-sup', id, 'review', { accept: false }), 400, /退回原因不能为空/],
      [() => api('p-qh-sup', id, 'review', { accept: false, reason: '照片不清', dueOn: dates.weekend }), 400, /不是工作日/],
      [() => api('p-tj-cadre1', id, 'progress', { note: '补充' }), 409, /正在等待审核/],
    ]);

    const returned = await api('p-qh-sup', id, 'review', { accept: false, reason: '公开内容缺少资产部分', dueOn: dates.workdays[0] });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ status: 'open', dueOn: dates.workdays[0], returned: [{ by: 'p-tj-cadre1', returnedBy: 'p-qh-sup', reason: '公开内容缺少资产部分' }] });
    expect(returned.body.completion).toBeUndefined();
    expect(returned.body.flags).toContain('returned');

    await api('p-tj-cadre1', id, 'complete', { fields: { disclosedOn: dates.today }, note: '已补充资产部分' });
    const accepted = await api('p-qh-sup', id, 'review', { accept: true });
    expect(accepted.body).toMatchObject({ status: 'done', review: { by: 'p-qh-sup' }, completion: { note: '已补充资产部分' } });

    // An administrator who completed a task may not pass it himself.
    const own = task('v-heping');
    expect((await api('p-admin', own, 'complete', { fields: { disclosedOn: dates.today } })).body.status).toBe('review');
    await refusedAlike(own, [[() => api('p-admin', own, 'review', { accept: true }), 403, /不能审核本人或本人任务的办结登记/]]);
  });

  test('every step on a closed task says who closed it and when', async () => {
    const id = task('v-tuanjie');
    expect((await state(id)).status).toBe('done');
    const closed = /任务已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 由 梁永福\(p-tj-cadre1\) 办结\(杨立新\(p-qh-sup\) 审核通过\)/;
    await refusedAlike(id, [
      [() => api('p-tj-cadre1', id, 'ack'), 400, closed],
      [() => api('p-tj-cadre1', id, 'progress', { note: '再补充' }), 400, closed],
      [() => api('p-tj-cadre1', id, 'extension', { dueOn: dates.workdays[2], reason: '再延' }), 400, closed],
      [() => api('p-qh-sup', id, 'extension/decision', { approve: true }), 400, closed],
      [() => api('p-qh-sup', id, 'review', { accept: false, reason: '再退回' }), 400, closed],
      [() => api('p-qh-sup', id, 'reassign', { to: 'p-xhz-cadre1', reason: '换人' }), 400, closed],
      [() => api('p-tj-cadre1', id, 'complete', { fields: { disclosedOn: dates.today } }), 400, closed],
    ]);
  });

  test('转办 goes to the same unit or a unit the supervisor oversees, never elsewhere', async () => {
    const id = task('v-xinsheng');
    await refusedAlike(id, [
      [() => api('p-sjh-sup', id, 'reassign', { to: 'p-xhz-cadre1', reason: '人手不足' }), 400, /罗建平 不在本单位,也不在您督查的单位/],
      [() => api('p-sjh-sup', id, 'reassign', { to: 'p-nobody', reason: '人手不足' }), 400, /名册中没有此人/],
      [() => api('p-sjh-sup', id, 'reassign', { to: 'p-xs-cadre1', reason: '人手不足' }), 400, /无需转办/],
      [() => api('p-sjh-sup', id, 'reassign', { to: 'p-hx-cadre1', reason: '' }), 400, /转办原因不能为空/],
      [() => api('p-xs-cadre1', id, 'reassign', { to: 'p-hx-cadre1', reason: '请假' }), 403, /无权转办此任务/],
      [() => api('p-qh-sup', id, 'reassign', { to: 'p-hx-cadre1', reason: '请假' }), 404, /找不到任务/],
    ]);
    const moved = await api('p-sjh-sup', id, 'reassign', { to: 'p-hx-cadre1', reason: '驻村干部请假' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ assignee: { personId: 'p-hx-cadre1', unitId: 'v-hongxing' }, previousAssignees: [{ personId: 'p-xs-cadre1', unitId: 'v-xinsheng', by: 'p-sjh-sup', reason: '驻村干部请假' }] });
    expect(moved.body.acknowledged).toBeUndefined();
    // The task now belongs to 红星村: its cadre acts on it, 新生村's no longer sees it.
    expect((await api('p-hx-cadre1', id, 'ack')).status).toBe(200);
    expect((await send('p-xs-cadre1', 'GET', `/api/tasks/${encodeURIComponent(id)}`)).status).toBe(404);
  });

  test('steps outside the caller’s jurisdiction are refused as not found, inside it as forbidden', async () => {
    const id = task('v-fuxing');
    await refusedAlike(id, [
      [() => api('p-xhz-cadre1', id, 'ack'), 404, /找不到任务/],
      [() => api('p-qh-sup', id, 'extension', { dueOn: dates.workdays[0], reason: '试试' }), 404, /找不到任务/],
      [() => api('p-cw-sup', id, 'ack'), 403, /p-cw-sup 无权签收此任务/],
      [() => api('p-cw-sup', id, 'progress', { note: '代为反馈' }), 403, /无权反馈此任务的进展/],
    ]);
  });

  test('a completion that needs evidence takes its files as multipart; without them it is refused by name', async () => {
    const refused = await api('p-qh-cadre1', microTask, 'complete', { fields: { overdueLoans: 1, overdueAmount: 2.5 } });
    expect(refused.status).toBe(422);
    expect(refused.body.issues).toEqual([{ field: 'fields.attachments', message: expect.stringContaining('须附佐证材料至少 1 个') }]);
    const table = pdf();
    const done = await send('p-qh-cadre1', 'POST', `/api/tasks/${encodeURIComponent(microTask)}/complete`, {
      multipart: files({ 'f.overdueLoans': '1', 'f.overdueAmount': '2.5', note: '见台账' }, [{ name: '逾期台账.pdf', data: table, type: 'application/pdf' }]),
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', completion: { fields: { overdueLoans: 1, overdueAmount: 2.5 }, note: '见台账', attachments: [{ name: '逾期台账.pdf', kind: 'pdf', sha256: sha256Of(table) }] } });
  });

  test('the OpenAPI document lists every step, and complete and progress as multipart too', async () => {
    const doc = (await send('p-admin', 'GET', '/openapi.json')).body;
    for (const step of ['ack', 'progress', 'extension', 'extension/decision', 'review', 'reassign']) expect(doc.paths[`/api/tasks/{taskId}/${step}`]?.post).toBeDefined();
    for (const step of ['complete', 'progress']) expect(Object.keys(doc.paths[`/api/tasks/{taskId}/${step}`].post.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
    const schema = doc.paths['/api/tasks/{taskId}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['flags', 'acknowledged', 'progress', 'extension', 'review', 'returned', 'previousAssignees']));
  });

  test('each step is audited as done over HTTP by the signed-in person', async () => {
    const entries = (await send('p-admin', 'GET', '/api/audit?unit=v-xiaohezui')).body as AuditEntry[];
    const actions = new Set(entries.filter((e) => e.target === task('v-xiaohezui')).map((e) => `${e.action} ${e.actor} ${e.via}`));
    expect([...actions]).toEqual(
      expect.arrayContaining(['task.acknowledge p-xhz-cadre1 http', 'task.progress p-xhz-cadre2 http', 'task.extension-request p-xhz-cadre1 http', 'task.extension-decide p-qh-sup http']),
    );
  });
});

describe('the task page', () => {
  const id = task('v-hongxing');
  const q = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  test('the unit side signs for the task with one button and sees its forms; a supervisor sees none of them', async () => {
    const cadre = await page('p-hx-cadre1', id);
    expect(cadre.status).toBe(200);
    expect(cadre.text).toContain(`action="/tasks/${encodeURIComponent(id)}/ack"`);
    expect(cadre.text).toMatch(/<input type="file" name="files" multiple accept="image\/\*,\.pdf,[^"]*\.xlsx,[^"]*\.docx[^"]*">/);
    expect(cadre.text).not.toContain('capture');
    expect(cadre.text).toContain('<summary>反馈进展</summary>');
    expect(cadre.text).toContain('<summary>申请延期</summary>');
    expect(cadre.text).not.toMatch(/审批延期|办结审核|<summary>转办<\/summary>/);
    expect(cadre.text).toContain('待办·待签收');

    const signed = await post('p-hx-cadre1', id, 'ack', {});
    expect([signed.status, signed.location]).toEqual([303, `/tasks/${encodeURIComponent(id)}?ok=acknowledged`]);
    const after = await send('p-hx-cadre1', 'GET', signed.location ?? '');
    expect(after.text).toContain('<div class="notice" role="status">已签收此任务</div>');
    expect(after.text).not.toContain(`action="/tasks/${encodeURIComponent(id)}/ack"`);
    expect(after.text).toMatch(/<dd id="task-ack">高德胜 于 /);

    const sup = await page('p-sjh-sup', id);
    expect(sup.text).not.toMatch(/登记完成|<summary>反馈进展|<summary>申请延期/);
    expect(sup.text).toContain('<summary>转办</summary>');
  });

  test('a refused extension request comes back with the typed text and the error next to its field', async () => {
    const asked = dates.workdays[1];
    const before = await facts(id);
    const empty = await post('p-hx-cadre1', id, 'extension', { dueOn: asked, reason: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain(`name="dueOn" value="${asked}"`);
    expect(empty.text).toMatch(/<textarea name="reason" rows="3"><\/textarea><div class="field-error">延期原因不能为空<\/div>/);
    expect(empty.text).toContain('<details class="step" id="extension" open>');

    const essay = '因'.repeat(10_000);
    const long = await post('p-hx-cadre1', id, 'extension', { dueOn: asked, reason: essay });
    expect(long.status).toBe(400);
    expect(long.text).toContain(`<textarea name="reason" rows="3">${essay}</textarea><div class="field-error">延期原因最多 500 字,收到 10000 字</div>`);

    const weekend = await post('p-hx-cadre1', id, 'extension', { dueOn: dates.weekend, reason: '台账未齐' });
    expect(weekend.text).toMatch(new RegExp(`<div class="field-error">${q(dates.weekend)} 不是工作日`));
    expect(weekend.text).toContain('台账未齐</textarea>');
    expect(await facts(id)).toEqual(before);
  });

  test('a cross-site post to a step form is refused and changes nothing', async () => {
    const before = await facts(id);
    const forged = await post('p-hx-cadre1', id, 'extension', { dueOn: dates.workdays[1], reason: '伪造' }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('请求来源与本站不符,已拒绝');
    const fetchSite = await post('p-sjh-sup', id, 'reassign', { to: 'p-hx-cadre2', reason: '伪造' }, { 'sec-fetch-site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
    expect(await facts(id)).toEqual(before);
  });

  test('the supervisor decides on the request from the page, the date defaulting to the one asked for', async () => {
    const [shorter, asked] = dates.workdays;
    expect((await post('p-hx-cadre1', id, 'extension', { dueOn: asked, reason: '台账未齐' })).location).toContain('?ok=extensionRequested');
    const cadre = await page('p-hx-cadre1', id);
    expect(cadre.text).not.toContain('<summary>申请延期</summary>');
    expect(cadre.text).toContain(`延期申请(延至 ${asked})正在等待审批`);
    expect(cadre.text).not.toContain('审批延期');

    const sup = await page('p-sjh-sup', id);
    expect(sup.text).toContain('<h2>审批延期</h2>');
    expect(sup.text).toContain(`<input type="date" name="dueOn" value="${asked}"  max="${asked}">`);
    const noButton = await post('p-sjh-sup', id, 'extension/decision', { dueOn: asked, reason: '' });
    expect(noButton.text).toContain('</div><div class="field-error">请点“批准延期”或“驳回”</div>');
    const noReason = await post('p-sjh-sup', id, 'extension/decision', { dueOn: asked, reason: '', decision: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('<div class="field-error">驳回原因不能为空</div>');
    const approved = await post('p-sjh-sup', id, 'extension/decision', { dueOn: shorter, reason: '', decision: 'approve' });
    expect(approved.location).toBe(`/tasks/${encodeURIComponent(id)}?ok=extensionApproved`);
    const after = await send('p-hx-cadre1', 'GET', approved.location ?? '');
    expect(after.text).toContain('已批准延期</div>');
    expect(after.text).toMatch(new RegExp(`<dd id="task-deadline">${shorter}.*原截止 ${(await state(id)).extension?.originalDueOn},已批准延期 1 次`, 's'));
    expect(after.text).toContain('待办·延期中');
  });

  test('progress with a photo: a thumbnail for all, the time and place it was taken for supervisors only', async () => {
    const photo = jpegWithExif({ takenAt: '2026:11:30 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] });
    const sent = await send('p-hx-cadre1', 'POST', `/tasks/${encodeURIComponent(id)}/progress`, {
      multipart: files({ note: '已入户走访', 'f.disclosureChannel': '' }, [{ name: '走访.jpg', data: photo, type: 'image/jpeg' }]),
      headers: { accept: 'text/html' },
    });
    expect([sent.status, sent.location]).toEqual([303, `/tasks/${encodeURIComponent(id)}?ok=progress`]);
    const link = `/tasks/${encodeURIComponent(id)}/evidence/${sha256Of(photo)}`;
    const cadre = await page('p-hx-cadre1', id);
    expect(cadre.text).toContain(`<a href="${link}" class="thumb"><img src="${link}" alt="走访.jpg" loading="lazy"></a>`);
    expect(cadre.text).toContain('已入户走访');
    expect(cadre.text).not.toContain('拍摄于');
    const sup = await page('p-sjh-sup', id);
    expect(sup.text).toContain('拍摄于 2026-11-30 10:15,位置 28.84167, 112.35000');
    expect((await send('p-sjh-sup', 'GET', link)).status).toBe(200);
  });

  test('a completion goes to review; the supervisor returns it with a reason, then passes it; the closed task says so', async () => {
    const submit = () =>
      send('p-hx-cadre1', 'POST', `/tasks/${encodeURIComponent(id)}/complete`, { multipart: files({ 'f.disclosedOn': dates.today, note: '已公开' }, []), headers: { accept: 'text/html' } });
    const first = await submit();
    expect([first.status, first.location]).toEqual([303, `/tasks/${encodeURIComponent(id)}?ok=submitted`]);
    expect((await page('p-hx-cadre1', id)).text).toContain('待审核');
    const sup = await page('p-sjh-sup', id);
    expect(sup.text).toContain('<h2>办结审核</h2>');
    expect((await page('p-hx-cadre1', id)).text).not.toContain('<h2>办结审核</h2>');

    const noReason = await post('p-sjh-sup', id, 'review', { reason: '', dueOn: '', decision: 'return' });
    expect(noReason.text).toContain('<div class="field-error">退回原因不能为空</div>');
    const returned = await post('p-sjh-sup', id, 'review', { reason: '缺少公开栏照片', dueOn: '', decision: 'return' });
    expect(returned.location).toContain('?ok=returned');
    const back = await page('p-hx-cadre1', id);
    expect(back.text).toMatch(/<dd id="task-returns"><div class="returned">刘志强 于 .* 退回了 高德胜 .* 的办结登记,原因: 缺少公开栏照片/);
    expect(back.text).toContain('待办·进行中·延期中·已退回');

    expect((await submit()).location).toContain('?ok=submitted');
    const accepted = await post('p-sjh-sup', id, 'review', { reason: '', dueOn: '', decision: 'accept' });
    expect(accepted.location).toBe(`/tasks/${encodeURIComponent(id)}?ok=accepted`);
    const done = await page('p-hx-cadre1', id);
    expect(done.text).toContain('<dd id="task-status">已完成');
    expect(done.text).toMatch(/刘志强 于 [\d-]+ [\d:]+ 审核通过/);
    for (const action of ['签收', '反馈进展', '批准延期', '申请延期', '登记办结(待审核)', '退回', '审核通过']) expect(done.text).toContain(`<td data-label="事项">${action}</td>`);
    expect(done.text).not.toMatch(/<form[^>]*action="[^"]*\/(ack|progress|extension|complete|review|reassign)"/);

    const late = await post('p-hx-cadre1', id, 'progress', { note: '补一句' });
    expect(late.status).toBe(400);
    expect(late.text).toMatch(/任务已于 [\d-]+ [\d:]+ 由 高德胜\(p-hx-cadre1\) 办结/);
  });

  test('转办 from the page offers only eligible people and records the previous holder', async () => {
    const other = task('v-chunfeng');
    const sup = await page('p-cw-sup', other);
    const options = [...sup.text.matchAll(/<option value="(p-[^"]+)"/g)].map((m) => m[1]);
    // 草尾镇's own cadre sits in the township, which its supervisor (李海燕) oversees, not 胡建军.
    expect(options.sort()).toEqual(['p-fx-cadre1', 'p-sl-cadre1']);
    const missing = await post('p-cw-sup', other, 'reassign', { to: '', reason: '请假' });
    expect(missing.text).toContain('<div class="field-error">请选择转给谁</div>');
    expect(missing.text).toContain('请假</textarea>');
    const moved = await post('p-cw-sup', other, 'reassign', { to: 'p-fx-cadre1', reason: '请假' });
    expect(moved.location).toContain('?ok=reassigned');
    const after = await page('p-cw-sup', other);
    expect(after.text).toMatch(/<dd id="task-assignee">复兴村 · 彭国庆<\/dd>/);
    expect(after.text).toMatch(/<dd id="task-previous"><div>[\d-]+ [\d:]+ 胡建军 将任务从 春风村 曾雪梅 转出,原因: 请假<\/div>/);
    expect(after.text).toContain('<td data-label="事项">转办</td>');
  });
});
