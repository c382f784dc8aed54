import type { z } from 'zod';
import type { InputIssue } from '../errors';
import { fromZod } from './zodIssues';
import type { PathIssue, PathSegment, YamlSource } from './yamlSource';
import { zhErrorMap } from './zhErrors';

/** Validating a YAML document's lists item by item, collecting every issue instead of stopping at the first. */

export function parseEach<T>(items: unknown[], schema: z.ZodType<T>, prefix: PathSegment[]) {
  const values: (T | undefined)[] = [];
  const issues: PathIssue[] = [];
  items.forEach((item, i) => {
    const result = schema.safeParse(item, { error: zhErrorMap });
    values.push(result.success ? result.data : undefined);
    if (!result.success) issues.push(...fromZod(result.error.issues, [...prefix, i]));
  });
  return { values, issues };
}

export function rawId(item: unknown): string | undefined {
  const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The outer shape, or the issues explaining why there is none. */
export function parseShell<T>(source: YamlSource, schema: z.ZodType<T>): { shell?: T; issues: InputIssue[] } {
  if (source.syntaxIssues.length > 0) return { issues: source.syntaxIssues };
  if (source.data === null || source.data === undefined) {
    return { issues: [source.toIssue({ path: [], message: '文件为空' })] };
  }
  const result = schema.safeParse(source.data, { error: zhErrorMap });
  if (!result.success) return { issues: fromZod(result.error.issues).map((i) => source.toIssue(i)) };
  return { shell: result.data, issues: [] };
}

