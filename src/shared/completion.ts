import { DateTime } from 'luxon';
import type { CompletionField, CompletionRule, CompletionSpec, LocalDate, Occurrence } from './types';
import { ZONE } from './zone';

export type FieldValue = string | number | boolean;
export type RawFieldValue = string | number | boolean;

export interface CompletionProblem {
  field: string;
  message: string;
}

/**
 * The most a completion can legitimately carry. The catalog keeps every duty within these, so a larger completion
 * is never a real one: it is refused before it reaches Temporal, and the workflow's validator refuses it again.
 */
export const COMPLETION_LIMITS = { fields: 30, keyLength: 64, valueLength: 500, noteLength: 2000, reasonLength: 500 } as const;

/** What a date field's bounds are measured against: the day of completion and the task's period. */
export type CompletionDates = Pick<Occurrence, 'period' | 'periodStart' | 'periodEnd'> & { today: LocalDate };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SAMPLE_KEYS = 3;
const SHOWN_LENGTH = 40;

/** A calendar-valid `YYYY-MM-DD` (no rollover: 2026-02-30 is no date), else undefined. Sandbox-safe. */
export function parseLocalDate(raw: unknown): LocalDate | undefined {
  return typeof raw === 'string' && DATE.test(raw) && DateTime.fromFormat(raw, 'yyyy-MM-dd', { zone: ZONE }).isValid ? raw : undefined;
}

/** At most `max` characters of a string, so an echoed value can never make a message large. */
export function clip(s: string, max = SHOWN_LENGTH): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A value as a message shows it: short, and never the contents of an object. */
function shown(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(clip(raw));
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (raw === null || raw === undefined) return String(raw);
  return Array.isArray(raw) ? '数组' : typeof raw === 'object' ? '对象' : typeof raw;
}

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/**
 * Shape and size only, no duty needed: what the service checks before sending an update, and what the validator
 * checks first so its own answer stays small whatever it was sent. At most one problem per allowed key.
 */
export function checkCompletionSize(note: unknown, raw: unknown): CompletionProblem[] {
  const { fields: maxFields, keyLength, valueLength, noteLength } = COMPLETION_LIMITS;
  const problems: CompletionProblem[] = [];
  if (note !== undefined && typeof note !== 'string') problems.push({ field: 'note', message: `说明(note)必须是文本,收到 ${shown(note)}` });
  else if (note !== undefined && note.length > noteLength) problems.push({ field: 'note', message: `说明(note)最多 ${noteLength} 字,收到 ${note.length} 字` });
  if (!isRecord(raw)) return [...problems, { field: 'fields', message: `所填数据(fields)必须是“字段名: 值”的对象,收到 ${shown(raw)}` }];
  const keys = Object.keys(raw);
  if (keys.length > maxFields) return [...problems, { field: 'fields', message: `所填数据(fields)最多 ${maxFields} 项,收到 ${keys.length} 项` }];
  for (const key of keys) {
    const value = raw[key];
    const field = clip(key, keyLength);
    if (key.length > keyLength) problems.push({ field, message: `字段名 ${shown(key)} 过长(最多 ${keyLength} 个字符)` });
    else if (typeof value === 'string' && value.length > valueLength) {
      problems.push({ field, message: `字段 ${key} 的值最多 ${valueLength} 个字符,收到 ${value.length} 个` });
    } else if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
      problems.push({ field, message: `字段 ${key} 的值必须是文本、数字或 是/否,收到 ${shown(value)}` });
    }
  }
  return problems;
}

const BOUND_TEXT = {
  today: (d: CompletionDates) => ({ on: d.today, text: `今天(${d.today})` }),
  periodStart: (d: CompletionDates) => ({ on: d.periodStart, text: `本期(${d.period})第一天 ${d.periodStart}` }),
  periodEnd: (d: CompletionDates) => ({ on: d.periodEnd, text: `本期(${d.period})最后一天 ${d.periodEnd}` }),
};

/** The bounds a date field sets itself (`notBefore: periodStart`, `notAfter: today`); message names field and bound. */
function outOfBounds(field: CompletionField, date: LocalDate, dates: CompletionDates): string | undefined {
  const before = field.notBefore && BOUND_TEXT[field.notBefore](dates);
  if (before && date < before.on) return `不能早于${before.text},收到 ${date}`;
  const after = field.notAfter && BOUND_TEXT[field.notAfter](dates);
  if (after && date > after.on) return `不能晚于${after.text},收到 ${date}`;
  return undefined;
}

function coerce(field: CompletionField, raw: RawFieldValue, dates: CompletionDates | undefined): FieldValue | CompletionProblem {
  const bad = (message: string): CompletionProblem => ({ field: field.key, message: `${field.label}(${field.key})${message}` });
  switch (field.type) {
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return bad(`必须是数字,收到 ${shown(raw)}`);
      if (field.type === 'integer' && !Number.isInteger(n)) return bad(`必须是整数,收到 ${shown(raw)}`);
      if (field.min !== undefined && n < field.min) return bad(`不能小于 ${field.min},收到 ${n}`);
      if (field.max !== undefined && n > field.max) return bad(`不能大于 ${field.max},收到 ${n}`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['true', 'yes', 'y', '1', '是'].includes(s)) return true;
      if (['false', 'no', 'n', '0', '否'].includes(s)) return false;
      return bad(`必须是 是/否(true/false),收到 ${shown(raw)}`);
    }
    case 'date': {
      const date = parseLocalDate(raw);
      if (date === undefined) return bad(`必须是 YYYY-MM-DD 日期,且日历上确有这一天,收到 ${shown(raw)}`);
      const refusal = dates && outOfBounds(field, date, dates);
      return refusal ? bad(refusal) : date;
    }
    case 'text': {
      const s = String(raw).trim();
      return s === '' ? bad('不能为空') : s;
    }
  }
}

function isProblem(v: FieldValue | CompletionProblem): v is CompletionProblem {
  return typeof v === 'object';
}

/** Unknown keys are named once, with a few examples, however many there are. */
function unknownKeys(spec: CompletionSpec, keys: string[]): CompletionProblem[] {
  const known = new Set(spec.fields.map((f) => f.key));
  const unknown = keys.filter((k) => !known.has(k));
  const first = unknown[0];
  if (first === undefined) return [];
  const allowed = `本职责可填: ${[...known].join(', ') || '(无)'}`;
  if (unknown.length === 1) return [{ field: first, message: `未知字段 ${first},${allowed}` }];
  const examples = unknown.slice(0, SAMPLE_KEYS).join(', ') + (unknown.length > SAMPLE_KEYS ? ' …' : '');
  return [{ field: first, message: `未知字段 ${unknown.length} 个(如 ${examples}),${allowed}` }];
}

/**
 * Checks and types the figures a completion carries. Pure, so the workflow's update validator and the service give
 * the same answer before anything is written. Date bounds are checked when `dates` is given: the validator always
 * gives them; the update handler, which only keeps the typed figures, need not.
 */
export function checkCompletion(
  spec: CompletionSpec,
  note: unknown,
  raw: unknown,
  dates?: CompletionDates,
): { fields: Record<string, FieldValue>; problems: CompletionProblem[] } {
  const fields: Record<string, FieldValue> = {};
  const size = checkCompletionSize(note, raw);
  if (size.length > 0 || !isRecord(raw)) return { fields, problems: size };
  const problems = unknownKeys(spec, Object.keys(raw));
  for (const field of spec.fields) {
    const value = raw[field.key] as RawFieldValue | undefined;
    if (value === undefined || value === '') {
      if (field.required) problems.push({ field: field.key, message: `缺少必填项 ${field.label}(${field.key})` });
      continue;
    }
    const typed = coerce(field, value, dates);
    if (isProblem(typed)) problems.push(typed);
    else fields[field.key] = typed;
  }
  if (spec.note === 'required' && !(typeof note === 'string' && note.trim())) problems.push({ field: 'note', message: '本职责完成时必须填写说明(note)' });
  problems.push(...checkRules(spec, fields));
  return { fields, problems };
}

const RULE_TEXT: Record<CompletionRule['op'], { holds: (a: number, b: number) => boolean; refusal: string }> = {
  '<=': { holds: (a, b) => a <= b, refusal: '不能大于' },
  '<': { holds: (a, b) => a < b, refusal: '必须小于' },
  '>=': { holds: (a, b) => a >= b, refusal: '不能小于' },
  '>': { holds: (a, b) => a > b, refusal: '必须大于' },
};

/** Figures that are each valid but cannot all be true at once (more households cleared than screened). Skipped when a side is absent. */
function checkRules(spec: CompletionSpec, fields: Record<string, FieldValue>): CompletionProblem[] {
  const label = (key: string) => `${spec.fields.find((f) => f.key === key)?.label ?? key}(${key})`;
  return (spec.rules ?? []).flatMap((rule) => {
    const a = fields[rule.field];
    const b = fields[rule.other];
    if (a === undefined || b === undefined) return [];
    // Dates compare as YYYY-MM-DD strings; numbers as numbers.
    const [x, y] = typeof a === 'string' && typeof b === 'string' ? [a.localeCompare(b), 0] : [Number(a), Number(b)];
    const { holds, refusal } = RULE_TEXT[rule.op];
    if (holds(x, y)) return [];
    return [{ field: rule.field, message: `${label(rule.field)}=${String(a)} ${refusal} ${label(rule.other)}=${String(b)}` }];
  });
}
