import { z } from 'zod';
import type { ChannelName, Delivery, Person, Role, Unit, UnitKind } from '../shared/types';
import { duplicates, enumOf, kebabId, text, unlessMissing } from '../validation/primitives';
import { robotsSchema } from './robotsSchema';

/** Schema of `roster.yaml`. Relations between entries (parents, supervisors, …) are checked in integrity.ts. */

export const UNIT_KINDS = ['bureau', 'township', 'village', 'department'] as const satisfies readonly UnitKind[];
export const ROLES = ['admin', 'supervisor', 'cadre', 'liaison'] as const satisfies readonly Role[];
export const unitKindSchema = enumOf(UNIT_KINDS, '单位类型');
export const roleSchema = enumOf(ROLES, '角色');

/** What integrity checks see: entries that failed their own schema are `undefined`, their raw ids still count. */
export interface RosterEntries {
  units: (Unit | undefined)[];
  people: (Person | undefined)[];
  rawUnitIds: (string | undefined)[];
  rawPersonIds: (string | undefined)[];
}

const CHANNELS = ['email', 'outbox', 'wecom', 'dingtalk'] as const satisfies readonly ChannelName[];
const DELIVERIES = ['per-task', 'digest'] as const satisfies readonly Delivery[];
const MOBILE = /^1\d{10}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const unitSchema = z.strictObject({
  id: kebabId,
  name: text,
  kind: unitKindSchema,
  parent: kebabId.optional(),
  supervisors: z.array(kebabId).default(() => []),
  tags: z.array(kebabId).default(() => []),
  robots: robotsSchema.optional(),
}) satisfies z.ZodType<Unit>;

export const personSchema = z
  .strictObject({
    id: kebabId,
    name: text,
    unit: kebabId,
    roles: z.array(roleSchema).min(1, `至少需要一个角色 (${ROLES.join(' / ')})`),
    email: z.string({ error: unlessMissing('必须是文本') }).regex(EMAIL, '邮箱格式不正确').optional(),
    chatId: z.string({ error: unlessMissing('必须是文本 (纯数字请加引号)') }).min(1, '不能为空').optional(),
    channel: enumOf(CHANNELS, '通知渠道').optional(),
    mobile: z.string({ error: unlessMissing('必须是文本 (手机号请加引号)') }).regex(MOBILE, '手机号必须是 1 开头的 11 位数字').optional(),
    delivery: enumOf(DELIVERIES, '提醒方式').optional(),
  })
  .superRefine((p, ctx) => {
    for (const { index } of duplicates(p.roles, (r) => r)) {
      ctx.addIssue({ code: 'custom', path: ['roles', index], message: '角色重复' });
    }
    // Without an address the email channel would silently drop this person's reminders.
    if (p.channel === 'email' && p.email === undefined) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: '通知渠道为 email 时必须填写邮箱' });
    }
  }) satisfies z.ZodType<Person>;

/** The outer shape; units and people are validated one by one so one bad entry does not hide another's problems. */
export const rosterFileSchema = z.strictObject({
  units: z.array(z.unknown()).min(1, '至少需要一个单位'),
  people: z.array(z.unknown()).min(1, '至少需要一名人员'),
});
