import type { AttachmentRef, TaskAction } from '../contracts/dutyTask';
import { KIND_NAMES } from '../shared/evidence';

/**
 * How the faces word a task's history and evidence: the CLI's `task show` and the task page read the same phrases,
 * so the two never tell a step apart differently.
 */

export const ACTION_NAMES: Record<TaskAction, string> = {
  opened: '开启',
  overdue: '逾期',
  escalated: '升级督办',
  completed: '完成',
  waived: '免除',
  acknowledged: '签收',
  unacknowledged: '超时未签收',
  progress: '反馈进展',
  extensionRequested: '申请延期',
  extensionApproved: '批准延期',
  extensionRejected: '驳回延期',
  submitted: '登记办结(待审核)',
  accepted: '审核通过',
  returned: '退回',
  reassigned: '转办',
  replanned: '重排截止日',
  suspended: '紧急暂停',
  resumed: '恢复办理',
};

/** `level 2`, as the workflow notes an escalation, in words; other details as they are. */
export function eventDetail(e: { action: TaskAction; detail?: string }): string {
  const level = e.action === 'escalated' ? /^level (\d+)$/.exec(e.detail ?? '')?.[1] : undefined;
  return level ? `升级为 ${level} 级督办` : (e.detail ?? '');
}

/** `1.2 MB`, `34 KB`, `512 B`. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/** Enough of the SHA-256 to tell two files apart by eye and to find the file in the evidence store. */
export const HASH_SHOWN = 12;

/** `现场照片.jpg(图片,1.2 MB,sha256 3f2a…)`. */
export function attachmentText(ref: AttachmentRef): string {
  return `${ref.name}(${KIND_NAMES[ref.kind]},${sizeText(ref.size)},sha256 ${ref.sha256.slice(0, HASH_SHOWN)}…)`;
}
