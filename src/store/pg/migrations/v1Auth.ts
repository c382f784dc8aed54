/** Accounts, API tokens, sessions, login rate-limit counters and calendar-feed tokens. */
export const AUTH_TABLES = `
SELECT 1;
`;
