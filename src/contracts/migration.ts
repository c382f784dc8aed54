/**
 * `duty migrate`'s contract with every workflow it moves: a copy starts held (it does nothing, sends nothing) until
 * the cut-over signals it the source's final carry; then it runs as the source's run would have gone on.
 */
import { defineSignal } from '@temporalio/workflow';

/** Which source run a copy continues; written into its memo, so a second migration finds it. */
export const MIGRATED_MEMO = 'migratedFrom';
export interface MigratedMark {
  runId: string;
  held: boolean;
}

/** The second argument of a held copy, in place of its carry. */
export interface HeldCopy {
  heldForMigration: MigratedMark;
}

export function isHeld(carry: unknown): carry is HeldCopy {
  return typeof carry === 'object' && carry !== null && 'heldForMigration' in carry;
}

export const releaseCopySignal = defineSignal<[{ carry: unknown }]>('releaseCopy');
