import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Principal } from '../../src/auth/principal';
import { ForbiddenError } from '../../src/auth/policy';
import type { AttachmentRef } from '../../src/contracts/dutyTask';
import { NotFoundError, ValidationError } from '../../src/errors';
import { withEvidence, type Upload } from '../../src/services/evidence';
import { completeTask } from '../../src/services/tasks';
import { sha256Of } from '../../src/store/evidence';
import { login, startStack, type Stack } from '../http/stack';
import { EXE, jpegWithExif, xlsx } from './fixtures';

/**
 * Evidence end to end, on a real Temporal server and worker: who may attach, nothing stored on a refusal, the file
 * kept once the task has recorded it, and downloads limited to the task's jurisdiction with headers that keep the
 * browser from running anything.
 */
const MICRO = 'micro-credit-overdue-check';
const microTask = (unit: string) => `task:${MICRO}:2026-10:${unit}`;
const Q3 = 'three-assets-disclosure';
const q3Task = (unit: string) => `task:${Q3}:2026-Q3:${unit}`;
const PEOPLE = ['p-qh-cadre1', 'p-cw-cadre1', 'p-qh-sup', 'p-xhz-cadre1', 'p-tj-cadre1'];
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let stack: Stack;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ people: PEOPLE });
  await stack.openPeriod(MICRO, '2026-10');
  await stack.openPeriod(Q3, '2026-Q3');
  for (const p of PEOPLE) cookies[p] = await login(stack.baseUrl, p);
}, 90_000);

afterAll(() => stack?.stop());

const who = (personId: string): Principal => {
  const person = stack.tree.person(personId);
  return { personId, role: person.roles.includes('supervisor') ? 'supervisor' : 'cadre', name: person.name, unitId: person.unit, via: 'session' };
};

/** Files in the store proper, relative to it; the staging area does not count. */
function stored(): string[] {
  const root = path.join(stack.settings.dataDir, 'evidence');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('.staging'))
    .sort();
}

/** Completes a task as `personId` with the given figures and files, the way the complete handlers will. */
function completeWith(personId: string, taskId: string, fields: Record<string, string>, uploads: Upload[]) {
  const viewer = who(personId);
  return withEvidence(stack.services, viewer, taskId, uploads, (attachments) =>
    completeTask(stack.services, viewer, { id: personId, via: 'http' }, taskId, { by: personId, fields, attachments }),
  );
}

const get = (url: string, personId?: string) => fetch(`${stack.baseUrl}${url}`, { headers: personId ? { cookie: cookies[personId] ?? '' } : {}, redirect: 'manual' });
const evidenceUrl = (taskId: string, sha256: string, api = true) => `${api ? '/api' : ''}/tasks/${encodeURIComponent(taskId)}/evidence/${sha256}`;

test('nothing is stored when the uploader may not act on the task or a file is refused', async () => {
  const table = [{ name: '逾期台账.xlsx', data: await xlsx() }];
  const act = jest.fn(async (refs: AttachmentRef[]) => refs);
  // Another township's task is as absent as one that does not exist; a village's task is the township supervisor's
  // to see, not to complete.
  await expect(withEvidence(stack.services, who('p-cw-cadre1'), microTask('t-qionghu'), table, act)).rejects.toThrow(NotFoundError);
  await expect(withEvidence(stack.services, who('p-qh-sup'), q3Task('v-tuanjie'), table, act)).rejects.toThrow(ForbiddenError);
  // The duty asks for Excel or PDF: a photo is refused, and so is a program renamed as one.
  const refused = await withEvidence(stack.services, who('p-qh-cadre1'), microTask('t-qionghu'), [{ name: '公开栏.jpg', data: jpegWithExif({ takenAt: '2026:10:20 09:00:00', latitude: [28, 50, 0], longitude: [112, 21, 0] }) }, { name: 'setup.jpg', data: EXE }], act).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ValidationError);
  expect((refused as ValidationError).message).toBe(
    '佐证材料校验失败,共 2 处错误:\n  - 附件 1(公开栏.jpg): 本任务的佐证材料只接受 Excel 或 PDF,此文件是 图片\n  - 附件 2(setup.jpg): 文件内容不是图片、PDF、Excel 或 Word(按内容识别)',
  );
  expect(act).not.toHaveBeenCalled();
  expect(stored()).toEqual([]);
});

test('files staged for a completion the task refuses are dropped', async () => {
  // The duty requires both figures: the workflow refuses, after the files were staged.
  await expect(completeWith('p-qh-cadre1', microTask('t-qionghu'), { overdueLoans: '2' }, [{ name: '逾期台账.xlsx', data: await xlsx() }])).rejects.toThrow(WorkflowUpdateFailedError);
  expect(stored()).toEqual([]);
  expect(readdirSync(path.join(stack.settings.dataDir, 'evidence', '.staging'))).toEqual([]);
});

test('a completion keeps its arrears list; whoever may see the task downloads it, as an attachment that cannot run', async () => {
  const table = await xlsx();
  const sha256 = sha256Of(table);
  const state = await completeWith('p-qh-cadre1', microTask('t-qionghu'), { overdueLoans: '2', overdueAmount: '1.5' }, [{ name: '逾期台账.xlsx', data: table }]);
  expect(state.completion?.attachments).toEqual([{ sha256, name: '逾期台账.xlsx', kind: 'xlsx', mime: XLSX_MIME, size: table.length }]);
  expect(stored()).toEqual([path.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256)]);
  expect((statSync(path.join(stack.settings.dataDir, 'evidence', stored()[0] ?? '')).mode & 0o777).toString(8)).toBe('600');

  // The township's supervisor sees the task: the file comes back byte for byte.
  const res = await get(evidenceUrl(microTask('t-qionghu'), sha256), 'p-qh-sup');
  expect(res.status).toBe(200);
  expect(Object.fromEntries(['content-type', 'content-disposition', 'content-length', 'x-content-type-options', 'cache-control'].map((h) => [h, res.headers.get(h)]))).toEqual({
    'content-type': XLSX_MIME,
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('逾期台账.xlsx')}`,
    'content-length': String(table.length),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  expect(res.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
  expect(Buffer.from(await res.arrayBuffer())).toEqual(table);

  // Another township's cadre, an anonymous caller, a hash the task does not refer to, a hash that is none.
  expect((await get(evidenceUrl(microTask('t-qionghu'), sha256), 'p-cw-cadre1')).status).toBe(404);
  expect((await get(evidenceUrl(microTask('t-qionghu'), sha256))).status).toBe(401);
  expect((await get(evidenceUrl(microTask('t-caowei'), sha256), 'p-cw-cadre1')).status).toBe(404);
  expect(await (await get(evidenceUrl(microTask('t-qionghu'), sha256Of(Buffer.from('other'))), 'p-qh-sup')).json()).toEqual({ error: `找不到佐证材料: ${sha256Of(Buffer.from('other'))}` });
  const bad = await get(evidenceUrl(microTask('t-qionghu'), '..%2F..%2Fauth%2Faccounts.json'), 'p-qh-sup');
  expect(bad.status).toBe(400);
});

test('a photo of the notice board opens in the browser from the task page, with when and where it was taken', async () => {
  const photo = jpegWithExif({ takenAt: '2026:09:28 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] });
  const sha256 = sha256Of(photo);
  const state = await completeWith('p-xhz-cadre1', q3Task('v-xiaohezui'), { disclosedOn: '2026-09-28' }, [{ name: '公开栏', data: photo }]);
  expect(state.completion?.attachments).toEqual([
    { sha256, name: '公开栏.jpg', kind: 'image', mime: 'image/jpeg', size: photo.length, exif: { takenAt: '2026-09-28T10:15:30+08:00', latitude: 28.841666666666665, longitude: 112.35 } },
  ]);
  const page = await get(evidenceUrl(q3Task('v-xiaohezui'), sha256, false), 'p-xhz-cadre1');
  expect([page.status, page.headers.get('content-type'), page.headers.get('content-disposition')]).toEqual([200, 'image/jpeg', `inline; filename*=UTF-8''${encodeURIComponent('公开栏.jpg')}`]);
  expect(Buffer.from(await page.arrayBuffer())).toEqual(photo);
  // Signed out, the page sends to the login; another village's cadre gets a "not found" page.
  const anonymous = await get(evidenceUrl(q3Task('v-xiaohezui'), sha256, false));
  expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, `/login?next=${encodeURIComponent(evidenceUrl(q3Task('v-xiaohezui'), sha256, false))}`]);
  const foreign = await get(evidenceUrl(q3Task('v-xiaohezui'), sha256, false), 'p-tj-cadre1');
  expect([foreign.status, foreign.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
});
