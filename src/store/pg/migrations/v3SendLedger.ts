/**
 * What each channel has accepted, shared by every worker (src/notify/sendLedgerPg.ts). `created_at` alone is indexed,
 * for the retention delete: the updates of `state`, `result` and `updated_at` then touch no index and stay HOT.
 */
export const SEND_LEDGER_TABLE = `
CREATE TABLE send_ledger (
  key text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('pending', 'sent', 'aborted')),
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'sent') = (result IS NOT NULL))
);
CREATE INDEX send_ledger_created_at ON send_ledger (created_at);
`;
