export const AUDIT_ACTIONS = [
  'task.complete',
  'task.waive',
  'task.acknowledge',
  'task.progress',
  'task.extension-request',
  'task.extension-decide',
  'task.review',
  'task.reassign',
  'calendar.replan',
  'emergency.suspend',
  'emergency.extend',
  'emergency.lift',
  'duty.pause',
  'duty.resume',
  'duty.trigger',
  'duty.backfill',
  'catalog.apply',
  'catalog.version',
  'account.create-admin',
  'account.set-password',
  'account.logout-all',
  'account.disable',
  'account.enable',
  'token.create',
  'token.revoke',
  'household.import',
  'household.clear',
  'household.risk-returned',
  'household.risk-found',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Chinese names for pages and `duty audit`. */
export const AUDIT_ACTION_NAMES: Record<AuditAction, string> = {
  'task.complete': '完成任务',
  'task.waive': '免除任务',
  'task.acknowledge': '签收任务',
  'task.progress': '反馈进展',
  'task.extension-request': '申请延期',
  'task.extension-decide': '审批延期',
  'task.review': '办结审核',
  'task.reassign': '转办任务',
  'calendar.replan': '按新节假日安排重排截止日',
  'emergency.suspend': '紧急情况暂停',
  'emergency.extend': '紧急情况统一延期',
  'emergency.lift': '撤销紧急情况',
  'duty.pause': '暂停职责',
  'duty.resume': '恢复职责',
  'duty.trigger': '立即触发',
  'duty.backfill': '补生成周期',
  'catalog.apply': '应用职责目录',
  'catalog.version': '职责条款版本',
  'account.create-admin': '创建管理员账号',
  'account.set-password': '设置密码',
  'account.logout-all': '结束全部会话',
  'account.disable': '停用账号',
  'account.enable': '重新启用账号',
  'token.create': '创建访问令牌',
  'token.revoke': '吊销访问令牌',
  'household.import': '导入监测对象',
  'household.clear': '登记风险消除',
  'household.risk-returned': '登记风险返回',
  'household.risk-found': '登记发现风险',
};

/** Who made a change and through which door; `id` is a roster person id or `cli:<os user>`. */
export interface Actor {
  id: string;
  /** `system`: the engine itself, e.g. moving open tasks after a roster change. */
  via: 'cli' | 'http' | 'system';
}

export interface AuditEntry {
  at: string;
  actor: string;
  via: Actor['via'];
  action: AuditAction;
  /** A task, duty, person, token or household id, or an imported file's digest; never a household's name or ID number. */
  target: string;
  /** The unit the change concerns, so jurisdiction and the unit filter apply; absent for county-wide changes. */
  unitId?: string;
  /** Figures, reasons and counts; never passwords, tokens or free text that may name a household. */
  detail?: Record<string, unknown>;
}

export interface AuditFilter {
  /** Keeps entries whose unit passes; entries without a unit are kept only when this is absent. */
  unit?: (unitId: string) => boolean;
  /** Local dates (Asia/Shanghai), inclusive. */
  from?: string;
  to?: string;
  action?: AuditAction;
  actor?: string;
  target?: string;
}

/**
 * Where a reader of the log stopped: 0 is the beginning. Opaque to callers, and meaningful only to the log that gave it
 * (a byte offset of the file, a sequence number in PostgreSQL).
 */
export type AuditCursor = number;

/**
 * The audit trail, written by the CLI, the HTTP server and the engine alike: one file under the data directory, or one
 * table every replica shares (./store.ts picks). Either way one ordered log: what one reader sees in one order, every
 * reader sees in that order.
 */
export interface AuditLog {
  /** Names the log (its file, its database), so a cache kept per log is one per log. */
  readonly where: string;
  /** Durable once it resolves. */
  record(entry: Omit<AuditEntry, 'at'>, at?: Date): Promise<AuditEntry>;
  /** Entries written after `cursor`, oldest first, and the cursor to read from next time. */
  since(cursor: AuditCursor): Promise<{ entries: AuditEntry[]; next: AuditCursor }>;
  /** Where the log ends now and when its last entry was written (ms), for caches keyed on "nothing changed". */
  end(): Promise<{ cursor: AuditCursor; at?: number }>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}
