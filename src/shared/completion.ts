import type { CompletionField, CompletionRule, CompletionSpec } from './types';

export type FieldValue = string | number | boolean;
export type RawFieldValue = string | number | boolean;

export interface CompletionProblem {
  field: string;
  message: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function coerce(field: CompletionField, raw: RawFieldValue): FieldValue | CompletionProblem {
  const bad = (message: string): CompletionProblem => ({ field: field.key, message: `${field.label}(${field.key})${message}` });
  switch (field.type) {
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return bad(`必须是数字,收到 ${JSON.stringify(raw)}`);
      if (field.type === 'integer' && !Number.isInteger(n)) return bad(`必须是整数,收到 ${JSON.stringify(raw)}`);
      if (field.min !== undefined && n < field.min) return bad(`不能小于 ${field.min},收到 ${n}`);
      if (field.max !== undefined && n > field.max) return bad(`不能大于 ${field.max},收到 ${n}`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['true', 'yes', 'y', '1', '是'].includes(s)) return true;
      if (['false', 'no', 'n', '0', '否'].includes(s)) return false;
      return bad(`必须是 是/否(true/false),收到 ${JSON.stringify(raw)}`);
    }
    case 'date':
      return typeof raw === 'string' && DATE.test(raw) && !Number.isNaN(Date.parse(`${raw}T00:00:00Z`))
        ? raw
        : bad(`必须是 YYYY-MM-DD 日期,收到 ${JSON.stringify(raw)}`);
    case 'text': {
      const s = String(raw).trim();
      return s === '' ? bad('不能为空') : s;
    }
  }
}

function isProblem(v: FieldValue | CompletionProblem): v is CompletionProblem {
  return typeof v === 'object';
}

/**
 * Checks and types the figures a completion carries. Pure, so the workflow's update validator
 * and the CLI give the same answer before anything is written.
 */
export function checkCompletion(
  spec: CompletionSpec,
  note: string | undefined,
  raw: Record<string, RawFieldValue>,
): { fields: Record<string, FieldValue>; problems: CompletionProblem[] } {
  const problems: CompletionProblem[] = [];
  const fields: Record<string, FieldValue> = {};
  const known = new Set(spec.fields.map((f) => f.key));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) problems.push({ field: key, message: `未知字段 ${key},本职责可填: ${[...known].join(', ') || '(无)'}` });
  }
  for (const field of spec.fields) {
    const value = raw[field.key];
    if (value === undefined || value === '') {
      if (field.required) problems.push({ field: field.key, message: `缺少必填项 ${field.label}(${field.key})` });
      continue;
    }
    const typed = coerce(field, value);
    if (isProblem(typed)) problems.push(typed);
    else fields[field.key] = typed;
  }
  if (spec.note === 'required' && !note?.trim()) problems.push({ field: 'note', message: '本职责完成时必须填写说明(note)' });
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
