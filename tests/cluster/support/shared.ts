import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { layoutOf, type ClusterOptions } from '../../../scripts/cluster/cluster';
import type { ClusterLayout } from '../../../scripts/cluster/layout';
import { occurrenceHerd } from '../../../bench/lib/tasks';
import { heraldMembersQuery } from '../../../src/contracts/dutyNotices';
import { safeId } from '../../../src/notify/channel';
import { loadCatalog } from '../../../src/sources/catalogFiles';
import { OrgTree } from '../../../src/roster/orgTree';
import type { Person } from '../../../src/shared/types';
import { withHeralds } from '../../../src/tasks/heralds';
import { openTaskBatch } from '../../../src/tasks/openBatch';
import { loadConnectionConfig, toConnectionOptions } from '../../../src/temporal/connection';
import { dutyDataConverter } from '../../../src/temporal/payloadCodec';
import { loadPayloadKeys } from '../../../src/temporal/payloadKeys';
import type { RecordedMail } from './mailRecorder';

/** The environment variable through which globalSetup tells the test files (other processes) about the cluster. */
export const SHARED_CLUSTER = 'DUTY_CLUSTER_TEST';
/** Village cadres added to the default roster, so every task of a herd has its own holder and its own message. */
export const HERD_PEOPLE = 40;
const TASK_QUEUE = 'duty-engine';

export interface SharedCluster {
  root: string;
  portOffset: number;
  engineEnv: Record<string, string>;
  /** The env file's variables plus the engine's test settings: what every engine process of the cluster reads. */
  env: Record<string, string>;
  mailFile: string;
}

export function herdPerson(i: number, villages: string[]): Person {
  const n = String(i + 1).padStart(3, '0');
  return { id: `p-herd-${n}`, name: `值守村干部${i + 1}`, unit: villages[i % villages.length] as string, roles: ['cadre'], email: `herd-${n}@example.org` };
}

export interface ClusterKit {
  opts: ClusterOptions;
  layout: ClusterLayout;
  env: Record<string, string>;
  client: Client;
  tree: OrgTree;
  close(): Promise<void>;
}

/** What globalSetup left for the test files: where the shared cluster is and what its engine processes read. */
export function sharedCluster(): SharedCluster {
  const raw = process.env[SHARED_CLUSTER];
  if (!raw) throw new Error(`${SHARED_CLUSTER} is not set: run the cluster tests with jest.cluster.config.js (npm run test:cluster)`);
  return JSON.parse(raw) as SharedCluster;
}

/**
 * The shared cluster, with a client that encrypts like the engine's processes. Also points this process's own
 * settings at it, so the in-process `duty` CLI (tests/support/cli.ts) acts on the cluster as `duty` sourcing the env
 * file would.
 */
export async function clusterKit(): Promise<ClusterKit> {
  const shared = sharedCluster();
  Object.assign(process.env, shared.env);
  const opts: ClusterOptions = { root: shared.root, portOffset: shared.portOffset, engineEnv: shared.engineEnv, log: () => undefined };
  // Lazy: it reconnects by itself after a service or the database restarts.
  const connection = Connection.lazy(toConnectionOptions(loadConnectionConfig({ env: shared.env })));
  const client = new Client({ connection, namespace: shared.env.TEMPORAL_NAMESPACE, dataConverter: dutyDataConverter(loadPayloadKeys(shared.env, shared.root)) });
  const tree = new OrgTree((await loadCatalog(shared.engineEnv.DUTY_CATALOG_DIR as string)).roster);
  return { opts, layout: layoutOf(opts), env: shared.env, client, tree, close: () => connection.close() };
}

/** Every message the test relay accepted so far. */
export function mails(): RecordedMail[] {
  return readFileSync(sharedCluster().mailFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedMail);
}

export interface Herd {
  tag: string;
  plannedAt: Date;
  taskIds: string[];
  heralds: string[];
  holders: Person[];
}

/**
 * A herd as a cycle opens one (bench/faults/rig.ts): N tasks of one occurrence, each its own holder's, opened through
 * their herald and all reminding at one instant `leadMs` from now.
 */
export async function openHerd(kit: ClusterKit, label: string, n = HERD_PEOPLE, leadMs = 10_000): Promise<Herd> {
  const holders = kit.tree.roster.people.filter((p) => p.id.startsWith('p-herd-')).slice(0, n);
  const tag = `${label}-${Date.now()}`;
  const plannedAt = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
  const inputs = withHeralds(occurrenceHerd(kit.tree, holders, plannedAt, tag));
  await openTaskBatch(kit.client, TASK_QUEUE, inputs);
  if (Date.now() > plannedAt.getTime()) throw new Error(`opening the herd took past its planned instant; raise leadMs`);
  return { tag, plannedAt, taskIds: inputs.map((t) => t.taskId), heralds: [...new Set(inputs.map((t) => t.herald as string))], holders };
}

export interface HerdAccount {
  delivered: number;
  lost: number;
  /** Messages accepted more than once (by Message-ID). */
  duplicates: number;
  /** Tasks no longer running: a lost task. */
  lostTasks: number;
}

/** The herd's reminders as the relay saw them: one message per holder, carrying the herd's occurrence. */
export function herdMails(herd: Herd): RecordedMail[] {
  const marker = `_${safeId(herd.tag)}_`;
  return mails().filter((m) => m.messageId.includes(marker));
}

/** Waits until every holder has had the herd's reminder and each herald counts all sent; false at the timeout. */
export async function herdSettled(kit: ClusterKit, herd: Herd, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reached = new Set(herdMails(herd).flatMap((m) => m.to));
    if (herd.holders.every((p) => reached.has(p.email as string))) {
      const sent = await Promise.all(herd.heralds.map((id) => kit.client.workflow.getHandle(id).query(heraldMembersQuery).catch(() => undefined)));
      if (sent.every((s) => s && s.sent >= s.members)) return true;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

export async function accountHerd(kit: ClusterKit, herd: Herd): Promise<HerdAccount> {
  const got = herdMails(herd);
  const reached = new Set(got.flatMap((m) => m.to));
  const delivered = herd.holders.filter((p) => reached.has(p.email as string)).length;
  const statuses = await Promise.all(herd.taskIds.map(async (id) => (await kit.client.workflow.getHandle(id).describe()).status.name));
  return {
    delivered,
    lost: herd.holders.length - delivered,
    duplicates: got.length - new Set(got.map((m) => m.messageId)).size,
    lostTasks: statuses.filter((s) => s !== 'RUNNING').length,
  };
}

