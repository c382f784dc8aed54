import { allHandlersFinished, ApplicationFailure, condition, isCancellation, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { type HeldCopy, MIGRATED_MEMO, releaseCopySignal } from '../src/contracts/migration';
import { SA } from '../src/shared/searchAttributes';

/** What every workflow here does alike: stamp, log, list its status, refuse a request, hand over or finish. */

/** The workflow clock, which replays as recorded. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

interface EventLog<A extends string> {
  events: { at: string; actor: string; action: A; detail?: string }[];
}

export function record<A extends string>(state: EventLog<A>, actor: string, action: NoInfer<A>, detail?: string): void {
  state.events.push({ at: nowIso(), actor, action, ...(detail ? { detail } : {}) });
}

/** The status is a search attribute too, so listings and reports filter on it without asking each workflow. */
export function setStatus<S extends string>(state: { status: S }, status: NoInfer<S>): void {
  state.status = status;
  upsertSearchAttributes([{ key: SA.status, value: status }]);
}

/** Thrown from an update's validator: a refused request writes nothing to history. */
export function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message });
}

/** What the activity or child reported, rather than the wrapper saying that it failed. */
export function failureDetail(err: unknown): string {
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}

/** The receiver may be gone (finished, or terminated by an operator); the sender's own record still holds everything. */
export async function signalQuietly(send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (isCancellation(err)) throw err;
  }
}

/** Returning or continuing as new would cut off an update still running, and leave its caller without an answer. */
export async function handlersFinished(): Promise<void> {
  await condition(allHandlersFinished);
}

/** A held copy (duty migrate) waits for the source's final carry, and says in its memo that it now acts. */
export async function released<C>(held: HeldCopy): Promise<C> {
  let carry: C | undefined;
  setHandler(releaseCopySignal, (req) => {
    carry = req.carry as C;
  });
  await condition(() => carry !== undefined);
  upsertMemo({ [MIGRATED_MEMO]: { ...held.heldForMigration, held: false } });
  return carry as C;
}
