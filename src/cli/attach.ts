import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type InputIssue, ValidationError } from '../errors';
import { type EvidenceLimits, tooLarge, type Upload } from '../services/evidence';

/** `--attach FILE`, repeatable: commander's collector, keeping the order given. */
export function collectAttach(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const NOT_A_FILE = '不是文件(是文件夹或设备)';
const READ_ERRORS: Record<string, string> = { ENOENT: '文件不存在', EACCES: '无权读取该文件', EPERM: '无权读取该文件', EISDIR: NOT_A_FILE };

/**
 * Reads the `--attach` files for `withEvidence`, which checks their content; every file that cannot be read is
 * reported at once, by the path as typed. A file over the size limit is refused before it is read into memory.
 */
export async function readAttachments(paths: readonly string[], limits: EvidenceLimits): Promise<Upload[]> {
  const issues: InputIssue[] = [];
  const uploads: Upload[] = [];
  for (const file of paths) {
    const refuse = (message: string) => issues.push({ path: `--attach ${file}`, message });
    try {
      const info = await stat(file);
      if (!info.isFile()) refuse(NOT_A_FILE);
      else if (info.size > limits.maxFileBytes) refuse(tooLarge(limits.maxFileBytes, info.size));
      else uploads.push({ name: path.basename(file), data: await readFile(file) });
    } catch (err) {
      const code = String((err as NodeJS.ErrnoException).code);
      refuse(READ_ERRORS[code] ?? `无法读取(${code})`);
    }
  }
  if (issues.length > 0) throw new ValidationError('附件', issues);
  return uploads;
}
