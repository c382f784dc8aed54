/** The audit trail, emergencies, the herald's delivery records per task, evidence blobs. */
export const RECORD_TABLES = `
SELECT 1;
`;
