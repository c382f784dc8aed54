import type { DeliveryRecord } from '../../contracts/dutyTask';
import type { DeliveryLog } from '../deliveries';
import type { PgDatabase } from './database';

type Entry = { taskId: string; record: DeliveryRecord };

/** The herald's delivery records in PostgreSQL: one row per task, notice and person, the latest record kept. */
export class PgDeliveryLog implements DeliveryLog {
  constructor(private readonly db: PgDatabase) {}

  /** One statement for the whole batch, however large: a herd's ten thousand records are one round trip. */
  async append(entries: Entry[]): Promise<void> {
    const rows = latestPerKey(entries);
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO duty_deliveries (task_id, notification_id, person_id, record)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::json[])
       ON CONFLICT (task_id, notification_id, person_id) DO UPDATE SET record = excluded.record`,
      [rows.map((r) => r.taskId), rows.map((r) => r.record.notificationId), rows.map((r) => r.record.personId), rows.map((r) => JSON.stringify(r.record))],
    );
  }

  async forTask(taskId: string): Promise<DeliveryRecord[]> {
    const { rows } = await this.db.query<{ record: DeliveryRecord }>('SELECT record FROM duty_deliveries WHERE task_id = $1 ORDER BY seq', [taskId]);
    return rows.map((r) => r.record);
  }
}

/**
 * One statement may not update a row twice, so a notice carried twice in one batch keeps its later record here. In key
 * order: two batches upserting overlapping rows at once (a retry overtaking a stalled attempt) lock them in the same
 * order and cannot deadlock.
 */
function latestPerKey(entries: Entry[]): Entry[] {
  const latest = new Map<string, Entry>();
  for (const e of entries) latest.set(JSON.stringify([e.taskId, e.record.notificationId, e.record.personId]), e);
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}
