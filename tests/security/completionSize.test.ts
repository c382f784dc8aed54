import { completeTaskUpdate, type CompletionRequest, taskStateQuery } from '../../src/contracts/dutyTask';
import { CADRE, disclosureTask, TASK } from './disclosureTask';

/**
 * Regression: a completion with 60,000 unknown keys (~1 MB) made the task workflow's update validator build a
 * refusal too large to record, so the workflow task failed (WorkflowTaskFailed) over and over. Now an oversize or
 * odd completion is refused at the door (body limit, request schema, service), and the validator's own refusal
 * stays small whatever it is sent, so the workflow never sees a failing task.
 */
const task = disclosureTask();
// Each refusal takes a second or two; where the workflow task fails instead, the update would wait for ever.
jest.setTimeout(30_000);

/** `{ k0: 'x', k1: 'x', … }` with `n` keys, or `{ field0: 'x', … }`. */
function manyKeys(n: number, prefix = 'k'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'x']));
}

/** Fastify's default body limit, the only one the route had when the finding was made. */
const OLD_BODY_LIMIT = 1024 * 1024;
/** COMPLETION_LIMITS in src/shared/completion.ts, spelled out so this file also loads (and fails) where they are absent. */
const MAX_FIELDS = 30;
const MAX_KEY = 64;
const TOO_LARGE = /^请求体过大,超出本操作允许的大小/;

async function workflowTaskFailures(): Promise<number> {
  const history = await task.stack().client.workflow.getHandle(TASK).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
}

async function taskStatus(): Promise<string> {
  return (await task.stack().client.workflow.getHandle(TASK).query(taskStateQuery)).status;
}

/** The error an update is refused with, and every message along its cause chain joined. */
async function refusal(update: Promise<unknown>): Promise<{ error: Error; text: string }> {
  const error = await update.then(
    () => {
      throw new Error('the update was accepted');
    },
    (e: unknown) => e as Error,
  );
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return { error, text: messages.join(' / ') };
}

const CHINESE = /[\u4e00-\u9fff]/;

test('the original finding: 60,000 unknown keys (~1 MB) are refused in Chinese and the workflow task never fails', async () => {
  const fields = manyKeys(60_000, 'field');
  // ~1 MB, yet under the old limit: it used to reach the workflow.
  expect(JSON.stringify({ fields }).length).toBeGreaterThan(990_000);
  expect(JSON.stringify({ fields }).length).toBeLessThan(OLD_BODY_LIMIT);

  const reply = await task.complete({ fields });

  expect(reply.status).toBe(413);
  expect(Object.keys(reply.json())).toEqual(['error']);
  expect(reply.json().error).toMatch(TOO_LARGE);
  expect(await workflowTaskFailures()).toBe(0);
  expect(await taskStatus()).not.toBe('done');
});

describe('other oversize or odd bodies are refused over HTTP, naming the field, before the workflow sees them', () => {
  const note = (n: number) => '说'.repeat(n);
  const longKey = 'k'.repeat(MAX_KEY + 1);
  // `message` is exact where it is this project's own wording, else any Chinese (the schema library's generic words).
  const cases: { name: string; body: unknown; field: string; message: string | RegExp }[] = [
    { name: `${MAX_FIELDS + 1} keys`, body: { fields: manyKeys(MAX_FIELDS + 1) }, field: 'fields', message: '所填数据(fields)最多 30 项,收到 31 项' },
    { name: 'a 2001-character note', body: { note: note(2001) }, field: 'body.note', message: '说明最多 2000 字' },
    { name: 'a nested object as a value', body: { fields: { disclosedOn: { year: 2026 } } }, field: 'body.fields.disclosedOn', message: CHINESE },
    { name: 'an array as a value', body: { fields: { disclosedOn: ['2026-08-01'] } }, field: 'body.fields.disclosedOn', message: CHINESE },
    { name: 'a 65-character key', body: { fields: { [longKey]: 'x' } }, field: `body.fields.${longKey}`, message: CHINESE },
    { name: 'a 501-character value', body: { fields: { disclosureChannel: 'x'.repeat(501) } }, field: 'body.fields.disclosureChannel', message: '最多 500 个字符' },
    { name: '`fields` as an array', body: { fields: [{ disclosedOn: '2026-08-01' }] }, field: 'body.fields', message: '应为一组字段(表单或 JSON 对象)' },
  ];

  test.each(cases)('$name', async ({ body, field, message }) => {
    const reply = await task.complete(body);

    expect(reply.status).toBe(400);
    const answer = reply.json() as { error: string; issues: { field: string; message: string }[] };
    expect(answer.error).toMatch(/^(请求|完成登记)有 1 处问题,请按提示修改$/);
    expect(answer.issues).toEqual([{ field, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
    expect(await workflowTaskFailures()).toBe(0);
  });

  test('a 1 MB note is refused by the body limit in Chinese', async () => {
    const reply = await task.complete({ note: note(1_000_000), fields: { disclosedOn: '2026-08-01' } });

    expect(reply.status).toBe(413);
    expect(Object.keys(reply.json())).toEqual(['error']);
    expect(reply.json().error).toMatch(TOO_LARGE);
    expect(await workflowTaskFailures()).toBe(0);
  });
});

describe('payloads sent straight to Temporal are refused by the validator with a short message', () => {
  const update = (req: unknown) => task.stack().client.workflow.getHandle(TASK).executeUpdate(completeTaskUpdate, { args: [req as CompletionRequest] });

  test('60,000 unknown keys: refused by the size check, in a few words', async () => {
    const { text } = await refusal(update({ by: CADRE, fields: manyKeys(60_000) }));

    expect(text).toContain('所填数据(fields)最多 30 项,收到 60000 项');
    expect(text.length).toBeLessThan(4096);
    expect(await workflowTaskFailures()).toBe(0);
  });

  test('30 unknown keys: named once, with a few examples', async () => {
    const { text } = await refusal(update({ by: CADRE, fields: manyKeys(30) }));

    expect(text).toContain('未知字段 30 个(如 k0, k1, k2 …),本职责可填: disclosedOn, disclosureChannel');
    expect(text.length).toBeLessThan(4096);
    expect(await workflowTaskFailures()).toBe(0);
  });

  test.each([
    { name: 'null', req: null },
    { name: 'a huge `by`', req: { by: 'p'.repeat(1_000_000), fields: { disclosedOn: '2026-08-01' } } },
    { name: 'fields as a string', req: { by: CADRE, fields: 'x'.repeat(500_000) } },
    { name: 'a huge note', req: { by: CADRE, note: 'n'.repeat(1_000_000), fields: { disclosedOn: '2026-08-01' } } },
    { name: 'a huge key', req: { by: CADRE, fields: { ['k'.repeat(500_000)]: 'x' } } },
  ])('$name', async ({ req }) => {
    const { text } = await refusal(update(req));

    expect(text.length).toBeLessThan(4096);
    expect(await workflowTaskFailures()).toBe(0);
  });

  test('a huge `by` is named clipped, not echoed', async () => {
    const { text } = await refusal(update({ by: 'p'.repeat(1_000_000), fields: { disclosedOn: '2026-08-01' } }));

    expect(text).toContain(`${'p'.repeat(40)}… 无权完成此任务`);
  });
});

test('after all that, a legitimate completion succeeds', async () => {
  expect(await taskStatus()).not.toBe('done');

  const reply = await task.complete({ note: '已在村务公开栏张贴', fields: { disclosedOn: '2026-09-25', disclosureChannel: '公开栏' } });

  expect(reply.status).toBe(200);
  expect(reply.json()).toMatchObject({ status: 'done', completion: { by: CADRE, fields: { disclosedOn: '2026-09-25', disclosureChannel: '公开栏' } } });
  expect(await workflowTaskFailures()).toBe(0);
});
