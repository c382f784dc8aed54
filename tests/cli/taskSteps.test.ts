import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import type { TaskState } from '../../src/contracts/dutyTask';
import { sha256Of } from '../../src/store/evidence';
import { jpegWithExif, pdf } from '../evidence/fixtures';
import { startStack, type Stack } from '../http/stack';
import { currentQuarter, datesAfter, REVIEWED, stepEnv, type StepDates, type StepEnv } from '../http/stepFixtures';
import { duty, type CliResult } from '../support/cli';

/**
 * The 督办 steps from the command line, against a real Temporal dev server and worker: each step works and says so
 * in one line; bad input is refused with exit code 2 and a Chinese message naming the option, and changes nothing;
 * `task show` tells the whole story.
 */

const QUARTER = currentQuarter();
const task = (unit: string) => `task:${REVIEWED}:${QUARTER}:${unit}`;
const TITLE = '村级"三资"季度公开';
const MICRO = 'micro-credit-overdue-check';
const microTask = `task:${MICRO}:2026-11:t-qionghu`;

let env: StepEnv;
let stack: Stack;
let dates: StepDates;
let files: string;
const previous: Record<string, string | undefined> = {};

beforeAll(async () => {
  env = stepEnv();
  stack = await startStack();
  await stack.openPeriod(REVIEWED, QUARTER);
  await stack.openPeriod(MICRO, '2026-11');
  // The CLI builds its own context from the environment, as `duty` does in a shell.
  const vars = {
    TEMPORAL_ADDRESS: (stack.client.connection as Connection).options.address,
    TEMPORAL_NAMESPACE: stack.client.options.namespace,
    DUTY_DATA_DIR: stack.settings.dataDir,
    DUTY_TASK_QUEUE: stack.settings.taskQueue,
  };
  for (const [k, v] of Object.entries(vars)) [previous[k], process.env[k]] = [process.env[k], v];
  files = mkdtempSync(path.join(os.tmpdir(), 'duty-attach-'));
  dates = datesAfter((await show(task('v-xiaohezui'))).dueOn);
}, 120_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(previous)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.stop();
  env?.restore();
  rmSync(files, { recursive: true, force: true });
});

async function show(taskId: string): Promise<TaskState> {
  const res = await duty('task', 'show', taskId, '--json');
  expect(res).toMatchObject({ code: 0, err: '' });
  return JSON.parse(res.out) as TaskState;
}

/** Everything a step could change; notices sent meanwhile (reminders) do not count. */
async function facts(taskId: string): Promise<Omit<TaskState, 'deliveries'>> {
  const s: Partial<TaskState> = await show(taskId);
  delete s.deliveries;
  return s as Omit<TaskState, 'deliveries'>;
}

/** Each command exits 2 with `错误: …` matching its words, and the task is as it was. */
async function refused(taskId: string, cases: [string[], RegExp][]): Promise<void> {
  const before = await facts(taskId);
  for (const [args, words] of cases) {
    const res: CliResult = await duty(...args);
    expect({ args, code: res.code, out: res.out, err: res.err }).toEqual({ args, code: 2, out: '', err: expect.stringMatching(words) });
    expect(res.err).toMatch(/^错误: /);
  }
  expect(await facts(taskId)).toEqual(before);
}

function file(name: string, data: Buffer): string {
  const at = path.join(files, name);
  writeFileSync(at, data);
  return at;
}

test('the new commands are listed with Chinese descriptions', async () => {
  const help = await duty('task', '--help');
  for (const words of ['ack [options] <taskId>', 'progress [options] <taskId>', 'extend [options] <taskId>', 'decide-extension [options] <taskId>', 'review [options] <taskId>', 'reassign [options] <taskId>', '签收任务', '申请延期', '办结审核', '转办']) {
    expect(help.out).toContain(words);
  }
  expect((await duty('task', 'complete', '--help')).out).toContain('--attach <file>');
});

test('签收 once, then progress with a figure and a photo; show tells both', async () => {
  const id = task('v-xiaohezui');
  expect(await duty('task', 'ack', id, '--by', 'p-xhz-cadre1')).toEqual({ code: 0, out: `已签收: ${id}(${TITLE} ${QUARTER})\n`, err: '' });
  expect((await duty('task', 'ack', id, '--by', 'p-xhz-cadre2')).code).toBe(0);
  expect((await show(id)).events.filter((e) => e.action === 'acknowledged')).toHaveLength(1);
  await refused(id, [
    [['task', 'ack', id, '--by', 'p-qh-sup'], /p-qh-sup 无权签收此任务\(仅限责任人、同单位人员或管理员\)/],
    [['task', 'progress', id, '--by', 'p-xhz-cadre1', '--note', '已张贴', '--attach', path.join(files, 'nope.jpg')], /--attach .*nope\.jpg: 文件不存在/],
    [['task', 'progress', id, '--by', 'p-xhz-cadre1', '--note', '已张贴', '--attach', file('setup.jpg', Buffer.from('MZ not a photo'))], /附件 1\(setup\.jpg\): 文件内容不是/],
    [['task', 'progress', id, '--by', 'p-xhz-cadre1', '--note', '已张贴', '--field', 'disclosedOn=2026-13-45'], /公开日期\(disclosedOn\)必须是 YYYY-MM-DD 日期/],
    [['task', 'progress', id, '--by', 'p-xhz-cadre1', '--note', '  '], /--note: 进展情况\(note\)不能为空/],
  ]);

  const photo = jpegWithExif({ takenAt: '2026:11:30 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] });
  const sent = await duty('task', 'progress', id, '--by', 'p-xhz-cadre2', '--note', '公开栏已张贴', '--field', 'disclosureChannel=公开栏', '--attach', file('公开栏.jpg', photo));
  expect(sent).toEqual({ code: 0, out: `已反馈进展: ${id}(${TITLE} ${QUARTER}),附件 1 个\n`, err: '' });
  const text = (await duty('task', 'show', id)).out;
  expect(text).toMatch(/签收: 罗建平\(p-xhz-cadre1\) 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  expect(text).toMatch(/最新进展: 郑美华\(p-xhz-cadre2\) 于 [\d-]+ [\d:]+: 公开栏已张贴,数据: disclosureChannel=公开栏/);
  expect(text).toContain(`附件: 公开栏.jpg(图片,${photo.length} B,sha256 ${sha256Of(photo).slice(0, 12)}…)`);
  expect(text).toMatch(/状态: 待办·进行中/);
  expect(text).toMatch(/ 签收 +罗建平\(p-xhz-cadre1\)/);
  expect(text).toMatch(/ 反馈进展 +郑美华\(p-xhz-cadre2\) +公开栏已张贴/);
});

test('an extension request is refused for a past date, a weekend, a holiday, the same deadline, or a reason empty or too long', async () => {
  const id = task('v-xiaohezui');
  const { dueOn } = await show(id);
  const extend = (to: string, reason: string) => ['task', 'extend', id, '--by', 'p-xhz-cadre1', '--to', to, '--reason', reason];
  await refused(id, [
    [extend(dates.yesterday, '台账未齐'), new RegExp(`--to: 不能早于今天\\(${dates.today}\\)`)],
    [extend(dates.weekend, '台账未齐'), new RegExp(`--to: ${dates.weekend} 不是工作日`)],
    [extend(env.holiday, '台账未齐'), new RegExp(`--to: ${env.holiday} 不是工作日`)],
    [extend(dueOn, '台账未齐'), new RegExp(`--to: 须晚于当前截止日 ${dueOn}`)],
    [extend('2026-02-30', '台账未齐'), /--to: 应为 YYYY-MM-DD 格式的有效日期/],
    [extend(dates.workdays[1], ''), /--reason: 延期原因不能为空/],
    [extend(dates.workdays[1], '因'.repeat(10_000)), /--reason: 延期原因最多 500 字,收到 10000 字/],
    [['task', 'extend', id, '--by', 'p-qh-sup', '--to', dates.workdays[1], '--reason', '代为申请'], /p-qh-sup 无权为此任务申请延期/],
  ]);
});

test('an extension is decided by a supervisor of the unit, shortened if need be, and show names both deadlines', async () => {
  const id = task('v-xiaohezui');
  const original = (await show(id)).dueOn;
  const [shorter, asked, later] = dates.workdays;
  expect((await duty('task', 'extend', id, '--by', 'p-xhz-cadre1', '--to', asked, '--reason', '村委换届')).out).toBe(`已申请延期: ${id}(${TITLE} ${QUARTER}) 申请延至 ${asked},等待审批\n`);
  const decide = (...more: string[]) => ['task', 'decide-extension', id, ...more];
  await refused(id, [
    [decide('--by', 'p-qh-sup'), /请指定 --approve\(批准\)或 --reject\(驳回\)其中之一/],
    [decide('--by', 'p-qh-sup', '--approve', '--reject', '--reason', '?'), /请指定 --approve/],
    [decide('--by', 'p-qh-sup', '--reject', '--to', shorter, '--reason', '不批'), /--to 只用于批准/],
    [decide('--by', 'p-xhz-cadre2', '--approve'), /p-xhz-cadre2 无权审批此任务的延期申请/],
    [decide('--by', 'p-cw-sup', '--approve'), /p-cw-sup 无权审批此任务的延期申请/],
    [decide('--by', 'p-qh-sup', '--approve', '--to', later), new RegExp(`--to: 不能晚于申请的 ${asked}`)],
    [decide('--by', 'p-qh-sup', '--reject'), /--reason: 驳回原因不能为空/],
    [decide('--by', 'p-qh-sup', '--reject', '--reason', 'x'.repeat(10_000)), /--reason: 驳回原因最多 500 字/],
  ]);
  expect((await duty(...decide('--by', 'p-qh-sup', '--approve', '--to', shorter))).out).toBe(`已批准延期: ${id}(${TITLE} ${QUARTER}) 截止日改为 ${shorter}\n`);
  expect((await duty('task', 'extend', id, '--by', 'p-xhz-cadre1', '--to', later, '--reason', '仍需时间')).code).toBe(0);
  expect((await duty(...decide('--by', 'p-qh-sup', '--reject', '--reason', '时间充足'))).out).toBe(`已驳回延期申请: ${id}(${TITLE} ${QUARTER}) 截止日仍为 ${shorter}\n`);

  const text = (await duty('task', 'show', id)).out;
  expect(text).toContain(`截止: ${shorter}(原 ${original})`);
  expect(text).toContain(`延期: 原截止 ${original},现截止 ${shorter},已批准 1 次`);
  expect(text).toMatch(/最近审批: 杨立新\(p-qh-sup\) 于 [\d-]+ [\d:]+ 驳回,原因: 时间充足/);
  expect(text).toMatch(/ 批准延期 +杨立新\(p-qh-sup\) +截止日 /);
  expect(text).toMatch(/ 驳回延期 +杨立新\(p-qh-sup\) +时间充足/);
});

test('a completion waits for review; the assignee cannot review it, a return needs a reason; afterwards every step is refused', async () => {
  const id = task('v-tuanjie');
  expect((await duty('task', 'complete', id, '--by', 'p-tj-cadre1', '--field', `disclosedOn=${dates.today}`, '--note', '已公开')).out).toBe(
    `已登记办结,等待审核: ${id}(${TITLE} ${QUARTER})\n`,
  );
  const review = (...more: string[]) => ['task', 'review', id, ...more];
  await refused(id, [
    [review('--by', 'p-tj-cadre1', '--accept'), /p-tj-cadre1 无权审核此任务/],
    [review('--by', 'p-qh-sup'), /请指定 --accept\(审核通过\)或 --return\(退回\)其中之一/],
    [review('--by', 'p-qh-sup', '--accept', '--to', dates.workdays[0]), /--to 只用于退回/],
    [review('--by', 'p-qh-sup', '--return'), /--reason: 退回原因不能为空/],
    [review('--by', 'p-qh-sup', '--return', '--reason', '缺照片', '--to', dates.yesterday), /--to: 不能早于今天/],
  ]);
  expect((await duty(...review('--by', 'p-qh-sup', '--return', '--reason', '缺少资产部分', '--to', dates.workdays[0]))).out).toBe(`已退回: ${id}(${TITLE} ${QUARTER}) 截止日 ${dates.workdays[0]}\n`);
  expect((await duty('task', 'complete', id, '--by', 'p-tj-cadre1', '--field', `disclosedOn=${dates.today}`, '--note', '已补充')).code).toBe(0);
  expect((await duty(...review('--by', 'p-qh-sup', '--accept'))).out).toBe(`审核通过,任务已办结: ${id}(${TITLE} ${QUARTER})\n`);

  const text = (await duty('task', 'show', id)).out;
  expect(text).toMatch(/状态: 已完成/);
  expect(text).toMatch(/审核: 杨立新\(p-qh-sup\) 于 [\d-]+ [\d:]+ 审核通过/);
  expect(text).toMatch(/退回\(1 次\):\n +[\d-]+ [\d:]+ +杨立新\(p-qh-sup\) 退回 梁永福\(p-tj-cadre1\) [\d-]+ [\d:]+ 的办结登记,原因: 缺少资产部分/);
  expect(text).toMatch(/ 登记办结\(待审核\) +梁永福\(p-tj-cadre1\)/);

  const closed = /任务已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 由 梁永福\(p-tj-cadre1\) 办结\(杨立新\(p-qh-sup\) 审核通过\),不能再办理/;
  await refused(id, [
    [['task', 'ack', id, '--by', 'p-tj-cadre1'], closed],
    [['task', 'progress', id, '--by', 'p-tj-cadre1', '--note', '补充'], closed],
    [['task', 'extend', id, '--by', 'p-tj-cadre1', '--to', dates.workdays[2], '--reason', '再延'], closed],
    [['task', 'decide-extension', id, '--by', 'p-qh-sup', '--approve'], closed],
    [review('--by', 'p-qh-sup', '--return', '--reason', '再退回'), closed],
    [['task', 'reassign', id, '--by', 'p-qh-sup', '--to', 'p-xhz-cadre1', '--reason', '换人'], closed],
    [['task', 'complete', id, '--by', 'p-tj-cadre1', '--field', `disclosedOn=${dates.today}`], closed],
  ]);

  // Whoever completed a task does not pass it, even an administrator.
  const own = task('v-heping');
  expect((await duty('task', 'complete', own, '--by', 'p-admin', '--field', `disclosedOn=${dates.today}`)).code).toBe(0);
  await refused(own, [[['task', 'review', own, '--by', 'p-admin', '--accept'], /不能审核本人或本人任务的办结登记/]]);
});

test('转办 only within the unit or a unit the supervisor oversees; show lists who held the task before', async () => {
  const id = task('v-xinsheng');
  const reassign = (by: string, to: string, reason = '驻村干部请假') => ['task', 'reassign', id, '--by', by, '--to', to, '--reason', reason];
  await refused(id, [
    [reassign('p-sjh-sup', 'p-xhz-cadre1'), /--to: 罗建平 不在本单位,也不在您督查的单位,不能转办给此人/],
    [reassign('p-sjh-sup', 'p-nobody'), /--to: 名册中没有此人/],
    [reassign('p-sjh-sup', 'p-hx-cadre1', ''), /--reason: 转办原因不能为空/],
    [reassign('p-xs-cadre1', 'p-hx-cadre1'), /p-xs-cadre1 无权转办此任务/],
    [reassign('p-qh-sup', 'p-hx-cadre1'), /p-qh-sup 无权转办此任务/],
  ]);
  expect((await duty(...reassign('p-sjh-sup', 'p-hx-cadre1'))).out).toBe(`已转办: ${id}(${TITLE} ${QUARTER}) 现由 红星村 高德胜(p-hx-cadre1) 办理\n`);
  const text = (await duty('task', 'show', id)).out;
  expect(text).toContain('责任人: 高德胜(p-hx-cadre1)  单位: 红星村');
  expect(text).toMatch(/转办记录:\n +[\d-]+ [\d:]+ +刘志强\(p-sjh-sup\) 将任务从 何春生\(p-xs-cadre1\)\(新生村\)转出,原因: 驻村干部请假/);
  expect(text).toMatch(/ 转办 +刘志强\(p-sjh-sup\) /);
});

test('a completion that needs evidence takes --attach; the file is listed with kind, size and hash', async () => {
  await refused(microTask, [[['task', 'complete', microTask, '--by', 'p-qh-cadre1', '--field', 'overdueLoans=1', '--field', 'overdueAmount=2.5'], /须附佐证材料至少 1 个/]]);
  const table = pdf();
  const done = await duty('task', 'complete', microTask, '--by', 'p-qh-cadre1', '--field', 'overdueLoans=1', '--field', 'overdueAmount=2.5', '--attach', file('逾期台账.pdf', table));
  expect(done).toEqual({ code: 0, out: `已完成: ${microTask}(小额信贷逾期风险月度排查 2026-11),附件 1 个\n`, err: '' });
  expect((await duty('task', 'show', microTask)).out).toContain(`    附件: 逾期台账.pdf(PDF,${table.length} B,sha256 ${sha256Of(table).slice(0, 12)}…)`);
});
