import path from 'node:path';
import type { DeadlinePlan, LocalDate } from '../shared/types';
import { shanghaiDate } from '../shared/zone';
import { JsonFile } from './jsonFile';

/** One emergency measure (紧急情况): a suspension window over units, or one extension of matching tasks. */
export interface Emergency {
  id: string;
  kind: 'suspend' | 'extend';
  units: string[];
  reason: string;
  by: string;
  at: string;
  /** suspend: the window, local dates, both days included. */
  from?: string;
  to?: string;
  /** extend: which tasks, and the new deadline. */
  dutyId?: string;
  period?: string;
  dueOn?: string;
  /** The tasks it touched, each with the deadline it had before, so `lift` can put it back. */
  tasks: { taskId: string; before?: DeadlinePlan }[];
  liftedAt?: string;
}

/**
 * Where emergencies are kept: a JSON file beside the audit trail, or a table every replica shares (./records.ts picks).
 * Oldest first.
 */
export interface EmergencyStore {
  list(): Promise<Emergency[]>;
  /** A new id for an emergency declared on `day` (em-YYYYMMDD-n), given to no other, also not to a replica's at once. */
  nextId(day: LocalDate): Promise<string>;
  add(e: Emergency): Promise<void>;
  markLifted(id: string, at: string): Promise<void>;
}

export function emergencyId(day: LocalDate, n: number): string {
  return `em-${day.replace(/-/g, '')}-${n}`;
}

/** Emergencies of one data directory; one writer at a time (the CLI or the server). */
export class FileEmergencyStore implements EmergencyStore {
  private readonly doc: JsonFile<{ emergencies: Emergency[] }>;

  constructor(dataDir: string) {
    this.doc = new JsonFile(path.join(dataDir, 'emergencies.json'), () => ({ emergencies: [] }));
  }

  async list(): Promise<Emergency[]> {
    return this.doc.read().emergencies;
  }

  async nextId(day: LocalDate): Promise<string> {
    const prefix = emergencyId(day, 0).slice(0, -1);
    return emergencyId(day, this.doc.read().emergencies.filter((e) => e.id.startsWith(prefix)).length + 1);
  }

  async add(e: Emergency): Promise<void> {
    this.doc.update((d) => ({ emergencies: [...d.emergencies, e] }));
  }

  async markLifted(id: string, at: string): Promise<void> {
    this.doc.update((d) => ({ emergencies: d.emergencies.map((e) => (e.id === id ? { ...e, liftedAt: at } : e)) }));
  }
}

/** Suspensions not lifted whose window has not ended by `now`, as the planner takes them. */
export function activeSuspensions(all: readonly Emergency[], now: Date): { id: string; units: string[]; from: string; to: string; reason: string }[] {
  const today = shanghaiDate(now.getTime());
  return all
    .filter((e) => e.kind === 'suspend' && !e.liftedAt && e.from !== undefined && e.to !== undefined && e.to >= today)
    .map((e) => ({ id: e.id, units: e.units, from: e.from!, to: e.to!, reason: e.reason }));
}
