import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { InputIssue } from '../errors';
import { maskIdNumber } from './idCard';

/** A parsed YAML file that can say on which line any field path sits, so every issue points at the text to fix. */

export type PathSegment = string | number;

/** A problem found at a field path; `atKey` points at the key itself (for unknown fields). */
export interface PathIssue {
  path: PathSegment[];
  message: string;
  value?: unknown;
  atKey?: boolean;
}

export interface YamlSource {
  file: string;
  /** The plain data, or undefined when the text is not valid YAML. */
  data: unknown;
  /** YAML syntax problems; when present `data` is undefined. */
  syntaxIssues: InputIssue[];
  toIssue(issue: PathIssue): InputIssue;
}

export const ROOT_PATH = '(文件)';

export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return ROOT_PATH;
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** The value at a path in plain data, or undefined when the path runs out. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathSegment, unknown>)[seg];
  }
  return node;
}

const YAML_CODES: Record<string, string> = {
  BAD_INDENT: '缩进不正确',
  TAB_AS_INDENT: '不能用 Tab 缩进',
  DUPLICATE_KEY: '同一层级的键重复',
  MISSING_CHAR: '缺少字符 (如引号或括号未闭合)',
  UNEXPECTED_TOKEN: '出现了意外的符号',
  BLOCK_AS_IMPLICIT_KEY: '键的写法不正确',
  MULTILINE_IMPLICIT_KEY: '键不能跨行',
  BAD_SCALAR_START: '值不能以该符号开头 (请加引号)',
  MULTIPLE_DOCS: '一个文件只能有一个 YAML 文档',
};

/** Where a path points: the value for scalars, the key line for collections and missing values, else the nearest parent. */
function offsetOf(doc: Document, path: readonly PathSegment[], atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = isMap(node) || isSeq(node) || isScalar(node) ? (node.range?.[0] ?? 0) : 0;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      const keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      const value = pair.value;
      const pointAtValue = isScalar(value) && value.value !== null && !(atKey && i === path.length - 1);
      offset = (pointAtValue ? value.range?.[0] : keyOffset) ?? offset;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (!isMap(item) && !isSeq(item) && !isScalar(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

const PERSONAL_KEYS = new Set(['mobile', 'chatId', 'idNumber', 'idCard', 'phone']);

function isPlainValue(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Aliases are only resolved when the document is turned into data, and the yaml package throws there (an alias with
 * no anchor before it, or so many aliases that expanding them would exhaust memory): both become an issue at the alias.
 */
function toData(doc: Document, file: string, lineCounter: LineCounter): { data?: unknown; issue?: InputIssue } {
  try {
    return { data: doc.toJS() };
  } catch (err) {
    let at = 0;
    let dangling = false;
    visit(doc, {
      Alias(_, node) {
        dangling = node.resolve(doc) === undefined;
        if (dangling || at === 0) at = node.range?.[0] ?? 0;
        return dangling ? visit.BREAK : undefined;
      },
    });
    const { line, col } = lineCounter.linePos(at);
    const what = dangling ? '别名 (*) 引用的锚点 (&) 不存在或在其后才定义' : '别名 (*) 展开过多';
    const detail = err instanceof Error ? err.message : String(err);
    return { issue: { file, line, column: col, path: '(yaml)', message: `YAML 语法错误: ${what} (${detail})` } };
  }
}

export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const syntaxIssues: InputIssue[] = doc.errors.map((error) => {
    const pos = error.linePos?.[0];
    const detail = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const what = YAML_CODES[error.code] ?? '格式错误';
    return { file, line: pos?.line, column: pos?.col, path: '(yaml)', message: `YAML 语法错误: ${what} (${detail})` };
  });
  const built = syntaxIssues.length > 0 ? {} : toData(doc, file, lineCounter);
  if (built.issue) syntaxIssues.push(built.issue);
  const data = built.data;

  return {
    file,
    data,
    syntaxIssues,
    toIssue(issue) {
      const { line, col } = lineCounter.linePos(offsetOf(doc, issue.path, issue.atKey ?? false));
      const value = issue.value !== undefined || issue.atKey ? issue.value : valueAt(data, issue.path);
      const result: InputIssue = { file, line, column: col, path: formatPath(issue.path), message: issue.message };
      if (value !== undefined && issue.path.length > 0 && isPlainValue(value)) {
        // A refused contact or ID number is still personal data: echo it masked, as the household import does.
        result.value = PERSONAL_KEYS.has(String(issue.path[issue.path.length - 1])) ? maskIdNumber(String(value)) : value;
      }
      return result;
    },
  };
}

/** Issues grouped by file (in order of first appearance), then by position, so they read top to bottom. */
export function orderIssues(issues: readonly InputIssue[]): InputIssue[] {
  const files = [...new Set(issues.map((i) => i.file))];
  return [...issues].sort(
    (a, b) =>
      files.indexOf(a.file) - files.indexOf(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
