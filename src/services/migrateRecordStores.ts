import { readFile } from 'node:fs/promises';
import { FileAuditLog } from '../audit/fileLog';
import { FileDeliveryLog } from '../store/deliveries';
import { FileEmergencyStore } from '../store/emergencies';
import { DirectoryEvidenceStore } from '../store/evidence';
import { countOf, insertRows, type StoreCopy } from './migrateRows';

/**
 * An audit entry as a whole: the log has no ids. Two entries alike in every field, to the millisecond, are told apart
 * by how many of each there are, so the target holding n of them means the first n of the source's are there.
 */
function entryKey(at: number, e: { actor: string; via: string; action: string; target: string }, unitId: string | null | undefined, detail: unknown): string {
  return JSON.stringify([at, e.actor, e.via, e.action, e.target, unitId ?? null, detail ?? null]);
}

interface AuditRow {
  at: Date;
  actor: string;
  via: string;
  action: string;
  target: string;
  unit_id: string | null;
  detail: unknown;
}

/**
 * The source's entries the target lacks, appended in the source's order, under the lock every writer of the log takes
 * (src/audit/pgLog.ts): a second run, or two at once, finds them and appends nothing. Entries the cluster wrote itself
 * stay where they are; the source's follow them, keeping their own times.
 */
export const auditCopy: StoreCopy = async ({ dataDir }, db) => {
  const { entries } = await FileAuditLog.inDataDir(dataDir).since(0);
  const { held, created } = await db.transaction(async (c) => {
    await c.query('LOCK TABLE duty_audit IN EXCLUSIVE MODE');
    const have = new Map<string, number>();
    for (const r of (await c.query<AuditRow>('SELECT at, actor, via, action, target, unit_id, detail FROM duty_audit')).rows) {
      const key = entryKey(r.at.getTime(), r, r.unit_id, r.detail);
      have.set(key, (have.get(key) ?? 0) + 1);
    }
    const missing = entries.filter((e) => {
      const key = entryKey(Date.parse(e.at), e, e.unitId, e.detail);
      const n = have.get(key) ?? 0;
      have.set(key, n - 1);
      return n <= 0;
    });
    if (missing.length === 0) return { held: entries.length, created: 0 };
    // Identity values are drawn as the rows arrive, in ordinality order: the source's order becomes `seq` order.
    const { rowCount } = await c.query(
      `INSERT INTO duty_audit (at, actor, via, action, target, unit_id, detail)
       SELECT at, actor, via, action, target, unit_id, detail FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[])
         WITH ORDINALITY AS u(at, actor, via, action, target, unit_id, detail, n) ORDER BY n`,
      [
        missing.map((e) => e.at),
        missing.map((e) => e.actor),
        missing.map((e) => e.via),
        missing.map((e) => e.action),
        missing.map((e) => e.target),
        missing.map((e) => e.unitId ?? null),
        missing.map((e) => (e.detail === undefined ? null : JSON.stringify(e.detail))),
      ],
    );
    return { held: entries.length - missing.length + (rowCount ?? 0), created: rowCount ?? 0 };
  });
  return { label: '操作记录', source: entries.length, target: held, created };
};

const EMERGENCY_ID = /^em-(\d{4})(\d{2})(\d{2})-(\d+)$/;

/** In the source's order; each day's counter moved past the ids copied, so the next declared on the cluster is new. */
export const emergenciesCopy: StoreCopy = async ({ dataDir }, db) => {
  const all = await new FileEmergencyStore(dataDir).list();
  const created = await db.transaction(async (c) => {
    const { rowCount } = await c.query(
      `INSERT INTO duty_emergencies (id, emergency, lifted_at)
       SELECT id, emergency, lifted_at FROM unnest($1::text[], $2::json[], $3::text[]) WITH ORDINALITY AS u(id, emergency, lifted_at, n) ORDER BY n
       ON CONFLICT (id) DO UPDATE SET lifted_at = excluded.lifted_at WHERE duty_emergencies.lifted_at IS NULL AND excluded.lifted_at IS NOT NULL`,
      [all.map((e) => e.id), all.map(({ liftedAt: _, ...rest }) => JSON.stringify(rest)), all.map((e) => e.liftedAt ?? null)],
    );
    const days = all.flatMap((e) => {
      const m = EMERGENCY_ID.exec(e.id);
      return m ? [{ day: `${m[1]}-${m[2]}-${m[3]}`, n: Number(m[4]) }] : [];
    });
    await c.query(
      `INSERT INTO duty_emergency_days (day, last) SELECT day::date, max(n) FROM unnest($1::text[], $2::int[]) AS u(day, n) GROUP BY day
       ON CONFLICT (day) DO UPDATE SET last = GREATEST(duty_emergency_days.last, excluded.last)`,
      [days.map((d) => d.day), days.map((d) => d.n)],
    );
    return rowCount ?? 0;
  });
  const target = await countOf(db, 'SELECT count(*)::int AS n FROM duty_emergencies WHERE id = ANY($1::text[])', [all.map((e) => e.id)]);
  return { label: '紧急情况', source: all.length, target, created };
};

/** The latest record per task, notice and person, as the task page shows them; files of tasks no longer in Temporal stay. */
export const deliveriesCopy: StoreCopy = async ({ dataDir, taskIds }, db) => {
  const log = new FileDeliveryLog(dataDir);
  const rows: { taskId: string; notificationId: string; personId: string; record: string }[] = [];
  for (const taskId of new Set(taskIds)) {
    for (const r of await log.forTask(taskId)) rows.push({ taskId, notificationId: r.notificationId, personId: r.personId, record: JSON.stringify(r) });
  }
  const columns = [rows.map((r) => r.taskId), rows.map((r) => r.notificationId), rows.map((r) => r.personId)];
  const created = await insertRows(
    db,
    `INSERT INTO duty_deliveries (task_id, notification_id, person_id, record)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::json[]) ON CONFLICT DO NOTHING`,
    [...columns, rows.map((r) => r.record)],
  );
  const target = await countOf(
    db,
    `SELECT count(*)::int AS n FROM duty_deliveries d JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(t, nid, p)
       ON d.task_id = u.t AND d.notification_id = u.nid AND d.person_id = u.p`,
    columns,
  );
  return { label: '提醒送达记录', source: rows.length, target, created };
};

/** Content-addressed, so a blob present is the same blob; only the missing ones are read and sent, one at a time. */
export const evidenceCopy: StoreCopy = async ({ dataDir }, db) => {
  const store = DirectoryEvidenceStore.inDataDir(dataDir);
  const hashes = await store.stored();
  const { rows } = await db.query<{ sha256: string }>('SELECT sha256 FROM duty_evidence WHERE sha256 = ANY($1::text[])', [hashes]);
  const present = new Set(rows.map((r) => r.sha256));
  let created = 0;
  for (const sha256 of hashes.filter((h) => !present.has(h))) {
    const data = await readFile(store.blobPath(sha256));
    const { rowCount } = await db.query('INSERT INTO duty_evidence (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [sha256, data.byteLength, data]);
    created += rowCount ?? 0;
  }
  return { label: '佐证材料', source: hashes.length, target: present.size + created, created };
};
