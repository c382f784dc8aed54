import type { TaskFlag, TaskStatus } from './searchAttributes';

/** The words people read for a task's status and 督办 flags, the same on the pages, the CLI and in reports. */
export const STATUS_NAMES: Record<TaskStatus, string> = { open: '待办', overdue: '已逾期', review: '待审核', done: '已完成', waived: '已免除' };

export const FLAG_NAMES: Record<TaskFlag, string> = {
  unacknowledged: '待签收',
  progress: '进行中',
  extensionRequested: '延期申请中',
  extended: '延期中',
  returned: '已退回',
};

/** Status and flags in one phrase, e.g. `待办·延期中·已退回`. */
export function stateName(status: TaskStatus, flags: readonly TaskFlag[] = []): string {
  const shown = status === 'open' || status === 'overdue' ? flags : [];
  return [STATUS_NAMES[status], ...shown.map((f) => FLAG_NAMES[f])].join('·');
}
