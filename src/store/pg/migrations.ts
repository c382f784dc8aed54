import { AUTH_TABLES } from './migrations/v1Auth';
import { RECORD_TABLES } from './migrations/v2Records';
import { SEND_LEDGER_TABLE } from './migrations/v3SendLedger';

/** One step of the schema; never edited once released, only followed by the next. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** In order: version n is at index n - 1. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'auth: accounts, tokens, sessions, login limits, feed tokens', sql: AUTH_TABLES },
  { version: 2, name: 'records: audit, emergencies, deliveries, evidence', sql: RECORD_TABLES },
  { version: 3, name: 'send ledger', sql: SEND_LEDGER_TABLE },
];
