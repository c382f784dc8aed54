import path from 'node:path';
import { DateTime } from 'luxon';
import { AppendLog } from '../store/appendLog';
import { ZONE } from '../shared/zone';

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


/** The audit trail: one fsync'd JSON line per change, written by the CLI and the HTTP server alike. */
export class AuditLog {
  private readonly log: AppendLog<AuditEntry>;

  constructor(readonly file: string) {
    this.log = new AppendLog<AuditEntry>(file);
  }

  static inDataDir(dataDir: string): AuditLog {
    return new AuditLog(path.join(dataDir, 'audit.jsonl'));
  }

  record(entry: Omit<AuditEntry, 'at'>, at = new Date()): AuditEntry {
    const full: AuditEntry = { at: at.toISOString(), ...entry };
    this.log.append(full);
    return full;
  }

  /** Entries appended since byte `offset` of the file, oldest first, and where to read from next time. */
  since(offset: number): { entries: AuditEntry[]; next: number } {
    const { records, next } = this.log.readFrom(offset);
    return { entries: records, next };
  }

  /** Newest first. */
  list(filter: AuditFilter = {}): AuditEntry[] {
    const from = filter.from ? DateTime.fromISO(filter.from, { zone: ZONE }).startOf('day').toMillis() : -Infinity;
    const to = filter.to ? DateTime.fromISO(filter.to, { zone: ZONE }).endOf('day').toMillis() : Infinity;
    return this.log
      .readAll()
      .filter((e) => {
        const t = Date.parse(e.at);
        if (t < from || t > to) return false;
        if (filter.action && e.action !== filter.action) return false;
        if (filter.actor && e.actor !== filter.actor) return false;
        if (filter.target && e.target !== filter.target) return false;
        if (filter.unit) return e.unitId !== undefined && filter.unit(e.unitId);
        return true;
      })
      .reverse();
  }
}
