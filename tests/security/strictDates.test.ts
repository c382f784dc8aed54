import { DateTime } from 'luxon';
import { completionFieldSchema } from '../../src/catalog/schema';
import { parseDuties } from '../../src/catalog/parse';
import { taskStateQuery } from '../../src/contracts/dutyTask';
import { checkCompletion, type CompletionDates, parseLocalDate } from '../../src/shared/completion';
import type { CompletionSpec } from '../../src/shared/types';
import { ZONE } from '../../src/shared/zone';
import { CatalogError } from '../../src/errors';
import { caught, DUTY_YAML, issueAt } from '../catalog/fixtures';
import { CADRE, disclosureTask, TASK } from './disclosureTask';

/**
 * Regression: a date field took any string that looked like a date (2026-02-30 rolled over to March) and any day
 * at all, so a 三资公开 could be "disclosed" before its quarter began or on a day still to come. Dates are now
 * calendar-valid `YYYY-MM-DD` only, and a date field may bound itself by the period and today.
 */

describe('parseLocalDate accepts only calendar-valid YYYY-MM-DD', () => {
  test.each(['2026-02-30', '2026-13-01', '2026-2-3', '', '2025-02-29', '2026-04-31', '2026-00-10', ' 2026-08-01', '2026-08-01T00:00', '20260801'])('refuses %j', (raw) => {
    expect(parseLocalDate(raw)).toBeUndefined();
  });

  test.each([20260801, null, undefined, { year: 2026 }, ['2026-08-01']])('refuses the non-string %j', (raw) => {
    expect(parseLocalDate(raw)).toBeUndefined();
  });

  test.each(['2024-02-29', '2026-08-01', '2026-12-31', '2026-01-01'])('accepts %s as it is', (raw) => {
    expect(parseLocalDate(raw)).toBe(raw);
  });
});

describe('a date field bounded by the period and today (checkCompletion with dates)', () => {
  const spec = (notAfter: 'today' | 'periodEnd'): CompletionSpec => ({
    note: 'optional',
    fields: [{ key: 'disclosedOn', label: '公开日期', type: 'date', required: true, notBefore: 'periodStart', notAfter }],
  });
  const dates: CompletionDates = { period: '2026-Q3', periodStart: '2026-07-01', periodEnd: '2026-09-30', today: '2026-08-15' };
  const problems = (notAfter: 'today' | 'periodEnd', disclosedOn: string) => checkCompletion(spec(notAfter), undefined, { disclosedOn }, dates).problems;

  test('a day before the period is refused, naming the field and the first day', () => {
    expect(problems('today', '2026-06-30')).toEqual([
      { field: 'disclosedOn', message: '公开日期(disclosedOn)不能早于本期(2026-Q3)第一天 2026-07-01,收到 2026-06-30' },
    ]);
  });

  test('a day after today is refused, naming today', () => {
    expect(problems('today', '2026-08-16')).toEqual([{ field: 'disclosedOn', message: '公开日期(disclosedOn)不能晚于今天(2026-08-15),收到 2026-08-16' }]);
  });

  test('a day after the period is refused when the bound is the period end', () => {
    expect(problems('periodEnd', '2026-10-01')).toEqual([
      { field: 'disclosedOn', message: '公开日期(disclosedOn)不能晚于本期(2026-Q3)最后一天 2026-09-30,收到 2026-10-01' },
    ]);
    expect(problems('periodEnd', '2026-09-30')).toEqual([]);
  });

  test('both bounds are inclusive', () => {
    expect(problems('today', '2026-07-01')).toEqual([]);
    expect(problems('today', '2026-08-15')).toEqual([]);
  });

  test('a date that is not on the calendar is refused before any bound', () => {
    expect(problems('today', '2026-02-30')).toEqual([
      { field: 'disclosedOn', message: '公开日期(disclosedOn)必须是 YYYY-MM-DD 日期,且日历上确有这一天,收到 "2026-02-30"' },
    ]);
  });

  test('without dates (the update handler, which only keeps the figures) the bounds are not applied', () => {
    expect(checkCompletion(spec('today'), undefined, { disclosedOn: '2026-06-30' })).toEqual({ fields: { disclosedOn: '2026-06-30' }, problems: [] });
  });
});

describe('the catalog accepts date bounds only on date fields', () => {
  const field = { key: 'households', label: '户数' };

  test.each(['notBefore', 'notAfter'] as const)('%s on an integer field is refused in Chinese', (bound) => {
    const result = completionFieldSchema.safeParse({ ...field, type: 'integer', [bound]: bound === 'notBefore' ? 'periodStart' : 'today' });

    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [bound], message: '只有 date 类型的字段可以设置 notBefore / notAfter' })]);
  });

  test('an unknown bound is refused, listing the allowed ones', () => {
    const result = completionFieldSchema.safeParse({ ...field, type: 'date', notAfter: 'tomorrow' });

    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['notAfter'], message: '日期上限(notAfter)必须是 today / periodEnd 之一' })]);
  });

  test('bounds on a date field are accepted', () => {
    const result = completionFieldSchema.safeParse({ ...field, type: 'date', notBefore: 'periodStart', notAfter: 'periodEnd' });

    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ notBefore: 'periodStart', notAfter: 'periodEnd' });
  });

  test('in a duties file, a bound on a text field is refused at its line', async () => {
    const yaml = `${DUTY_YAML}    completion:\n      fields:\n        - { key: channel, label: 公开方式, type: text, notAfter: today }\n`;
    const error = await caught(CatalogError, () => parseDuties(yaml, 'duties/sample.yaml'));

    expect(issueAt(error.issues, 'duties[0].completion.fields[0].notAfter').message).toBe('只有 date 类型的字段可以设置 notBefore / notAfter');
  });
});

describe('completing 小河咀村 2026-Q3 三资公开 through HTTP', () => {
  const task = disclosureTask();
  const today = DateTime.now().setZone(ZONE);
  const tomorrow = today.plus({ days: 1 }).toISODate()!;

  async function stored(): Promise<{ status: string; completion?: unknown }> {
    return task.stack().client.workflow.getHandle(TASK).query(taskStateQuery);
  }

  test.each([
    { name: 'a day that is not on the calendar', disclosedOn: '2026-02-30', message: '公开日期(disclosedOn)必须是 YYYY-MM-DD 日期,且日历上确有这一天,收到 "2026-02-30"' },
    { name: 'a day before the quarter', disclosedOn: '2026-06-30', message: '公开日期(disclosedOn)不能早于本期(2026-Q3)第一天 2026-07-01,收到 2026-06-30' },
    { name: 'tomorrow', disclosedOn: tomorrow, message: `公开日期(disclosedOn)不能晚于今天(${today.toISODate()!}),收到 ${tomorrow}` },
  ])('$name is refused with 422, naming the field, and nothing is stored', async ({ disclosedOn, message }) => {
    const reply = await task.complete({ fields: { disclosedOn } });

    expect(reply.status).toBe(422);
    const answer = reply.json() as { error: string; issues: { field: string; message: string }[] };
    expect(answer.error).toContain(message);
    expect(answer.issues).toEqual([{ field: 'fields.disclosedOn', message }]);
    const state = await stored();
    expect(state.status).not.toBe('done');
    expect(state.completion).toBeUndefined();
  });

  test('a date inside the quarter is accepted and stored', async () => {
    const reply = await task.complete({ fields: { disclosedOn: '2026-09-25', disclosureChannel: '村务公开栏' } });

    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ status: 'done', completion: { by: CADRE, fields: { disclosedOn: '2026-09-25', disclosureChannel: '村务公开栏' } } });
    expect((await stored()).completion).toMatchObject({ fields: { disclosedOn: '2026-09-25' } });
  });
});
