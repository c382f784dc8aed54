import type { AttachmentKind } from './types';

/** Evidence (佐证材料): the kinds a duty may ask for, their names as users read them, and the default limits. */

export const ATTACHMENT_KINDS = ['image', 'pdf', 'xlsx', 'docx'] as const satisfies readonly AttachmentKind[];

export const KIND_NAMES: Record<AttachmentKind, string> = { image: '图片', pdf: 'PDF', xlsx: 'Excel', docx: 'Word' };

/**
 * Files per step (one completion or progress report) and megabytes per file, unless DUTY_EVIDENCE_MAX_FILES and
 * DUTY_EVIDENCE_MAX_MB say otherwise. The catalog cannot ask for more files than the default allows.
 */
export const EVIDENCE_DEFAULTS = { maxFiles: 10, maxMegabytes: 20 } as const;

/** `图片、PDF 或 Word`: kinds listed the way a message names them. */
export function kindList(kinds: readonly AttachmentKind[]): string {
  const names = kinds.map((k) => KIND_NAMES[k]);
  return names.length > 1 ? `${names.slice(0, -1).join('、')} 或 ${names.at(-1)}` : (names[0] ?? '');
}
