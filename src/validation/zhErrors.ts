import type { z } from 'zod';

/**
 * Chinese fallback messages for zod issues. Passed per parse (not via `z.config`) so other
 * modules sharing the zod instance keep their own messages; schema-level messages win over it.
 */

const TYPE_NAMES: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '布尔值 (true/false)',
  object: '对象 (键: 值)',
  array: '列表',
  null: '空值',
};

function describe(input: unknown): string {
  if (input === null) return '空值';
  if (Array.isArray(input)) return '列表';
  return TYPE_NAMES[typeof input] ?? typeof input;
}

export const zhErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return '缺少必填字段';
      if (issue.expected === 'int') return '必须是整数';
      return `类型错误: 应为${TYPE_NAMES[issue.expected] ?? issue.expected}, 实际为${describe(issue.input)}`;
    case 'invalid_value':
      return `必须是 ${issue.values.map(String).join(' / ')} 之一`;
    case 'invalid_union':
      if (issue.input === undefined) return '缺少必填字段';
      if ('options' in issue && Array.isArray(issue.options) && issue.options.length > 0) {
        return `必须是 ${issue.options.map(String).join(' / ')} 之一`;
      }
      return '不符合任何允许的写法';
    case 'too_small':
      if (issue.origin === 'array') return `至少需要 ${issue.minimum} 项`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? '不能为空' : `至少 ${issue.minimum} 个字符`;
      return issue.inclusive === false ? `必须大于 ${issue.minimum}` : `不能小于 ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `最多 ${issue.maximum} 项`;
      if (issue.origin === 'string') return `最多 ${issue.maximum} 个字符`;
      return issue.inclusive === false ? `必须小于 ${issue.maximum}` : `不能大于 ${issue.maximum}`;
    case 'invalid_format':
      return '格式不正确';
    case 'unrecognized_keys':
      return '未知字段';
    default:
      return '取值无效';
  }
};
