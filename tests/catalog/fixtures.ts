import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { InputIssue, ValidationError } from '../../src/errors';

/**
 * Small YAML texts whose line numbers the tests rely on: edit a line with `replaceLine` (one line for one
 * line) so the numbers in the expectations stay true.
 */

export const DUTY_YAML = `duties:
  - id: sample-duty
    title: 示例职责
    description: 每月报送示例数据
    source: 一(一)
    recurrence: { kind: monthly }
    assignTo: { unitKinds: [village], role: cadre, per: unit }
    deadline: { day: 15 }
`;

export const ROSTER_YAML = `units:
  - id: bureau
    name: 测试市乡村振兴局
    kind: bureau
    supervisors: [p-lead]
  - id: t-east
    name: 东镇
    kind: township
    parent: bureau
    supervisors: [p-lead]
  - id: v-pine
    name: 松村
    kind: village
    parent: t-east
    supervisors: [p-east-sup]
    tags: [key-village]
people:
  - { id: p-admin, name: 管理员甲, unit: bureau, roles: [admin], email: admin@example.org }
  - { id: p-lead, name: 领导乙, unit: bureau, roles: [supervisor] }
  - { id: p-east-sup, name: 镇督查丙, unit: t-east, roles: [supervisor] }
  - { id: p-pine-1, name: 村干部丁, unit: v-pine, roles: [cadre] }
`;

/** Replaces 1-based line `n` of `text`. */
export function replaceLine(text: string, n: number, line: string): string {
  const lines = text.split('\n');
  if (lines[n - 1] === undefined) throw new Error(`no line ${n}`);
  lines[n - 1] = line;
  return lines.join('\n');
}

/** Appends lines to the text (which ends with a newline). */
export function appendLines(text: string, ...lines: string[]): string {
  return `${text}${lines.join('\n')}\n`;
}

/** The error thrown by `fn`, which must throw an instance of `type`. */
export async function caught<E extends ValidationError>(
  type: abstract new (...args: never[]) => E,
  fn: () => unknown,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name}, nothing thrown`);
}

/** The issue at `path` (whose message contains `message`, when given: one field may have several issues). */
export function issueAt(issues: readonly InputIssue[], path: string, message = ''): InputIssue {
  const found = issues.find((i) => i.path === path && i.message.includes(message));
  if (found === undefined) throw new Error(`no issue at ${path}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return found;
}

/** A catalog directory under the OS temp dir, given relative to the working directory as a CLI user would. */
export async function catalogDir(files: Record<string, string>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const abs = await mkdtemp(join(tmpdir(), 'duty-catalog-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(abs, name)), { recursive: true });
    await writeFile(join(abs, name), text, 'utf8');
  }
  return { dir: relative(process.cwd(), abs), cleanup: () => rm(abs, { recursive: true, force: true }) };
}
