/** What each channel has accepted, shared by every worker. */
export const SEND_LEDGER_TABLE = `
SELECT 1;
`;
