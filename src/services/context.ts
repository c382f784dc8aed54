import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { Actor, AuditEntry, AuditLog } from '../audit/log';
import { auditLogOf } from '../audit/store';
import type { Settings } from '../config';
import { storeBackend } from '../store/backend';
import type { OrgTree } from '../roster/orgTree';
import type { Catalog, Duty } from '../shared/types';

/**
 * What the service functions need. The CLI's `CliContext` satisfies it as it is; the HTTP server supplies a
 * long-lived one. Keeping it structural means neither side depends on the other.
 */
export interface ServiceContext {
  readonly settings: Settings;
  catalog(dir?: string): Promise<Catalog>;
  tree(dir?: string): Promise<OrgTree>;
  duty(dutyId: string, dir?: string): Promise<Duty>;
  temporal(): Promise<Client>;
}

/** One log per data directory or database; the CLI, the server's replicas and the engine append to the same one. */
export async function auditLog(ctx: ServiceContext): Promise<AuditLog> {
  return auditLogOf(await storeBackend(ctx.settings));
}

/** Writes one audit entry; done once it resolves. */
export async function recordAudit(ctx: ServiceContext, entry: Omit<AuditEntry, 'at'>): Promise<AuditEntry> {
  return (await auditLog(ctx)).record(entry);
}

/** The CLI has no sign-in; the operating-system user stands for whoever typed the command. */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep the placeholder rather than fail the command.
  }
  return { id: `cli:${user}`, via: 'cli' };
}
