import type { Command } from 'commander';
import type { CliContext } from '../context';
import { auditCommands } from './audit';
import { userCommands } from './users';

/** Sign-in accounts and the audit trail, registered from main.ts in one call. */
export function accessCommands(program: Command, ctx: CliContext): void {
  userCommands(program, ctx);
  auditCommands(program, ctx);
}
