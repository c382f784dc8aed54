/**
 * The memo value that marks a Temporal schedule as this project's: `duty apply` touches only `duty:*` schedules
 * that carry it, and the digest schedule carries it too. Anything else on the namespace is left alone.
 */
export const OWNER = 'duty-engine';

/** The memo entry to write on every schedule this project creates. */
export const OWNER_MEMO = { owner: OWNER } as const;

/** Whether a schedule's memo says this project created it. */
export function isOwned(memo: Record<string, unknown> | undefined): boolean {
  return memo?.owner === OWNER;
}
