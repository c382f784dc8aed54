import type { PgDatabase } from '../store/pg/database';
import { redact } from '../store/pg/database';
import { ZONE } from '../shared/zone';
import type { AuditAction, AuditCursor, AuditEntry, AuditFilter, AuditLog } from './log';

interface Row {
  seq: string;
  at: Date;
  actor: string;
  via: AuditEntry['via'];
  action: AuditAction;
  target: string;
  unit_id: string | null;
  detail: Record<string, unknown> | null;
}

const COLUMNS = 'seq, at, actor, via, action, target, unit_id, detail';

/** The audit trail in PostgreSQL (table duty_audit), one log for every worker and replica; the cursor is `seq`. */
export class PgAuditLog implements AuditLog {
  constructor(private readonly db: PgDatabase) {}

  get where(): string {
    return redact(this.db.url);
  }

  async record(entry: Omit<AuditEntry, 'at'>, at = new Date()): Promise<AuditEntry> {
    const full: AuditEntry = { at: at.toISOString(), ...entry };
    await this.db.transaction(async (c) => {
      // One writer at a time until it commits, so `seq` order is commit order: a reader that has seen entry n never
      // finds one below n appear later, which `since` would step over. Readers do not wait for the lock.
      await c.query('LOCK TABLE duty_audit IN EXCLUSIVE MODE');
      await c.query('INSERT INTO duty_audit (at, actor, via, action, target, unit_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7::json)', [
        full.at,
        full.actor,
        full.via,
        full.action,
        full.target,
        full.unitId ?? null,
        full.detail === undefined ? null : JSON.stringify(full.detail),
      ]);
    });
    return full;
  }

  async since(cursor: AuditCursor): Promise<{ entries: AuditEntry[]; next: AuditCursor }> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM duty_audit WHERE seq > $1 ORDER BY seq`, [cursor]);
    return { entries: rows.map(entryOf), next: rows.length > 0 ? Number(rows.at(-1)!.seq) : cursor };
  }

  async end(): Promise<{ cursor: AuditCursor; at?: number }> {
    const { rows } = await this.db.query<Row>('SELECT seq, at FROM duty_audit ORDER BY seq DESC LIMIT 1');
    const last = rows[0];
    return last ? { cursor: Number(last.seq), at: last.at.getTime() } : { cursor: 0 };
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const values: unknown[] = [];
    const param = (v: unknown) => `$${values.push(v)}`;
    const where: string[] = [];
    // Local dates: a day is midnight to midnight in the county's zone.
    if (filter.from) where.push(`at >= ${param(filter.from)}::date::timestamp AT TIME ZONE ${param(ZONE)}`);
    if (filter.to) where.push(`at < (${param(filter.to)}::date + 1)::timestamp AT TIME ZONE ${param(ZONE)}`);
    if (filter.action) where.push(`action = ${param(filter.action)}`);
    if (filter.actor) where.push(`actor = ${param(filter.actor)}`);
    if (filter.target) where.push(`target = ${param(filter.target)}`);
    if (filter.unit) where.push(`unit_id = ANY(${param(await this.unitsPassing(filter.unit))}::text[])`);
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM duty_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC`, values);
    return rows.map(entryOf);
  }

  /** The predicate is code, not SQL: it is asked once per unit the log names (a few thousand at most), not per entry. */
  private async unitsPassing(passes: (unitId: string) => boolean): Promise<string[]> {
    const { rows } = await this.db.query<{ unit_id: string }>('SELECT DISTINCT unit_id FROM duty_audit WHERE unit_id IS NOT NULL');
    return rows.map((r) => r.unit_id).filter(passes);
  }
}

function entryOf(r: Row): AuditEntry {
  return {
    at: r.at.toISOString(),
    actor: r.actor,
    via: r.via,
    action: r.action,
    target: r.target,
    ...(r.unit_id !== null ? { unitId: r.unit_id } : {}),
    ...(r.detail !== null ? { detail: r.detail } : {}),
  };
}
