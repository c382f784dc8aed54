import type { LocalDate } from '../../shared/types';
import { type Emergency, emergencyId, type EmergencyStore } from '../emergencies';
import type { PgDatabase } from './database';

/** Emergencies in PostgreSQL: each a row, so two replicas declaring or lifting at once never undo each other. */
export class PgEmergencyStore implements EmergencyStore {
  constructor(private readonly db: PgDatabase) {}

  async list(): Promise<Emergency[]> {
    const { rows } = await this.db.query<{ emergency: Emergency; lifted_at: string | null }>('SELECT emergency, lifted_at FROM duty_emergencies ORDER BY seq');
    return rows.map((r) => (r.lifted_at === null ? r.emergency : { ...r.emergency, liftedAt: r.lifted_at }));
  }

  async nextId(day: LocalDate): Promise<string> {
    const { rows } = await this.db.query<{ last: number }>(
      'INSERT INTO duty_emergency_days (day, last) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last = duty_emergency_days.last + 1 RETURNING last',
      [day],
    );
    return emergencyId(day, rows[0]!.last);
  }

  async add(e: Emergency): Promise<void> {
    const { liftedAt, ...rest } = e;
    await this.db.query('INSERT INTO duty_emergencies (id, emergency, lifted_at) VALUES ($1, $2::json, $3)', [e.id, JSON.stringify(rest), liftedAt ?? null]);
  }

  async markLifted(id: string, at: string): Promise<void> {
    await this.db.query('UPDATE duty_emergencies SET lifted_at = $2 WHERE id = $1', [id, at]);
  }
}
