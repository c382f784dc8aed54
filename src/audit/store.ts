import type { StoreBackend } from '../store/backend';
import { FileAuditLog } from './fileLog';
import type { AuditLog } from './log';
import { PgAuditLog } from './pgLog';

/** The audit trail of this backend: the data directory's file, or the shared table. */
export function auditLogOf(backend: StoreBackend): AuditLog {
  return backend.kind === 'postgres' ? new PgAuditLog(backend.db) : FileAuditLog.inDataDir(backend.dataDir);
}
