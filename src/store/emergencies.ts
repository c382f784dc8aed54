import path from 'node:path';
import type { DeadlinePlan } from '../shared/types';
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

/** Emergencies of one data directory, kept beside the audit trail; one writer at a time (the CLI or the server). */
export class EmergencyStore {
  private readonly doc: JsonFile<{ emergencies: Emergency[] }>;

  constructor(dataDir: string) {
    this.doc = new JsonFile(path.join(dataDir, 'emergencies.json'), () => ({ emergencies: [] }));
  }

  list(): Emergency[] {
    return this.doc.read().emergencies;
  }

  add(e: Emergency): void {
    this.doc.update((d) => ({ emergencies: [...d.emergencies, e] }));
  }

  markLifted(id: string, at: string): void {
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
