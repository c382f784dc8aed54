import type { TaskFlag, TaskStatus } from './searchAttributes';

/** The words people read for a task's status and 督办 flags, the same on the pages, the CLI and in reports. */
export const STATUS_NAMES: Record<TaskStatus, string> = { open: '待办', overdue: '已逾期', review: '待审核', done: '已完成', waived: '已免除' };

export const FLAG_NAMES: Record<TaskFlag, string> = {
  unacknowledged: '待签收',
  progress: '进行中',
  extensionRequested: '延期申请中',
  extended: '延期中',
  returned: '已退回',
  suspended: '紧急暂停',
};

/** Status and flags in one phrase, e.g. `待办·延期中·已退回`. */
export function stateName(status: TaskStatus, flags: readonly TaskFlag[] = []): string {
  const shown = status === 'open' || status === 'overdue' ? flags : [];
  return [STATUS_NAMES[status], ...shown.map((f) => FLAG_NAMES[f])].join('·');
}

/**
 * A task's traffic light (红黄绿灯), worked out by `lightOf` in src/calendar/light.ts: red when overdue, yellow when due
 * within N working days, green otherwise; tasks waiting for review, extended or closed carry a mark of their own.
 */
export type Light = 'red' | 'yellow' | 'green' | 'review' | 'extended' | 'done' | 'waived';

export const LIGHTS: Light[] = ['red', 'yellow', 'green', 'review', 'extended', 'done', 'waived'];

/** Yellow once at most this many working days are left; `DUTY_LIGHT_YELLOW_DAYS` changes it. */
export const YELLOW_WITHIN_DEFAULT = 3;

/** The light's word: shown with its colour everywhere, so no one has to tell the colours apart. */
export const LIGHT_NAMES: Record<Light, string> = {
  red: '红灯',
  yellow: '黄灯',
  green: '绿灯',
  review: STATUS_NAMES.review,
  extended: '已延期',
  done: STATUS_NAMES.done,
  waived: STATUS_NAMES.waived,
};
