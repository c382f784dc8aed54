import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from '@temporalio/client';

/** A value that must never be stored or printed in plain: a household head's name or ID-card number. */
export interface Canary {
  label: string;
  value: string;
}

export interface Finding {
  place: string;
  canary: string;
  count: number;
}

function occurrences(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n += 1;
  return n;
}

export function scanBuffer(place: string, data: Buffer, canaries: Canary[]): Finding[] {
  return canaries.flatMap((c) => {
    const count = occurrences(data, Buffer.from(c.value, 'utf8'));
    return count > 0 ? [{ place, canary: c.label, count }] : [];
  });
}

/** Every string and byte array inside a decoded protobuf object, as one buffer: what the server holds, undecoded. */
function bytesOf(value: unknown, out: Buffer[] = []): Buffer[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value));
  else if (typeof value === 'string') out.push(Buffer.from(value, 'utf8'));
  else if (Array.isArray(value)) value.forEach((v) => bytesOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => bytesOf(v, out));
  return out;
}

/**
 * Reads what Temporal stores, over the raw gRPC API so no data converter decrypts anything first: every workflow's
 * full history (inputs, results, activity payloads, failures, memos, search attributes) and its visibility record.
 */
export async function scanTemporal(connection: Connection, namespace: string, canaries: Canary[]): Promise<{ findings: Finding[]; workflows: number; events: number }> {
  const findings: Finding[] = [];
  let workflows = 0;
  let events = 0;
  let listToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 500, nextPageToken: listToken });
    for (const info of page.executions ?? []) {
      workflows += 1;
      const id = info.execution?.workflowId ?? '?';
      findings.push(...scanBuffer(`visibility ${id}`, Buffer.concat(bytesOf(info)), canaries));
      let token: Uint8Array | undefined;
      do {
        const h = await connection.workflowService.getWorkflowExecutionHistory({ namespace, execution: info.execution, nextPageToken: token });
        events += h.history?.events?.length ?? 0;
        findings.push(...scanBuffer(`history ${id}`, Buffer.concat(bytesOf(h.history)), canaries));
        token = h.nextPageToken?.length ? h.nextPageToken : undefined;
      } while (token);
    }
    listToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (listToken);
  return { findings, workflows, events };
}

/** Every file under the given paths (logs, outbox, send ledger, data folder). */
export function scanFiles(paths: string[], canaries: Canary[]): { findings: Finding[]; files: number } {
  const findings: Finding[] = [];
  let files = 0;
  const visit = (p: string): void => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) return readdirSync(p).forEach((n) => visit(path.join(p, n)));
    files += 1;
    findings.push(...scanBuffer(p, readFileSync(p), canaries));
  };
  paths.forEach(visit);
  return { findings, files };
}
