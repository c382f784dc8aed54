import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { clusterDown, clusterUp, type ClusterOptions } from '../../../scripts/cluster/cluster';
import { describeServer, resolveServerBinaries } from '../../../scripts/cluster/serverBinary';
import { settings } from '../../../src/config';
import { startMailRecorder, type MailRecorder } from './mailRecorder';
import { HERD_PEOPLE, herdPerson, SHARED_CLUSTER, type SharedCluster } from './shared';

/** Beside, not on, a cluster `npm run cluster` may have running (offset 10 000). */
const PORT_OFFSET = 20_000;
/** Messages a second the test relay accepts: a 40-task herd then takes two seconds, long enough to hit mid-way. */
const SMTP_PER_SECOND = 20;

const running: { opts?: ClusterOptions; mail?: MailRecorder } = {};

/**
 * One cluster for every cluster test file (they run one after another): PostgreSQL, four Temporal services, two
 * workers and two HTTP replicas, all brought up by `clusterUp` exactly as `npm run cluster -- up` does, with the
 * workers sending mail to a recording SMTP relay. Builds the server first when it is not cached (CI runs
 * `npm run cluster -- build` before, so the minutes show as their own step).
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(describeServer(await resolveServerBinaries({ log })));
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'duty-cluster-'));
  // PostgreSQL runs as its own system user when we are root; it must be able to reach its data directory.
  await fs.chmod(root, 0o755);
  const mailFile = path.join(root, 'mail.jsonl');
  await fs.writeFile(mailFile, '');
  running.mail = await startMailRecorder(mailFile, SMTP_PER_SECOND);
  const catalogDir = await writeCatalog(path.join(root, 'catalog'));
  const engineEnv = {
    DUTY_CATALOG_DIR: catalogDir,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(running.mail.port),
    SMTP_FROM: '职责提醒 <duty@example.org>',
    // The tests run at any hour and want the notices at once.
    DUTY_QUIET_HOURS: 'off',
    LOG_LEVEL: 'warn',
  };
  running.opts = { root, portOffset: PORT_OFFSET, engineEnv, log: () => undefined };
  const began = Date.now();
  const env = await clusterUp(running.opts);
  log(`test cluster up in ${((Date.now() - began) / 1000).toFixed(1)} s under ${root}`);
  const shared: SharedCluster = { root, portOffset: PORT_OFFSET, engineEnv, env: { ...env, ...engineEnv }, mailFile };
  process.env[SHARED_CLUSTER] = JSON.stringify(shared);
  (globalThis as { __dutyCluster?: typeof running }).__dutyCluster = running;
}

/** Reads what setup left on the global object: jest may load the teardown module afresh. */
export async function teardown(): Promise<void> {
  const { opts, mail } = (globalThis as { __dutyCluster?: typeof running }).__dutyCluster ?? {};
  if (opts) await clusterDown(opts);
  await mail?.close();
  if (opts) await fs.rm(opts.root, { recursive: true, force: true });
}

/** The default catalog, its roster given the herd's village cadres (each with a mailbox of their own). */
async function writeCatalog(dir: string): Promise<string> {
  const source = settings().catalogDir;
  await fs.cp(source, dir, { recursive: true });
  const roster = parse(readFileSync(path.join(source, 'roster.yaml'), 'utf8')) as { units: { id: string; kind: string }[]; people: unknown[] };
  const villages = roster.units.filter((u) => u.kind === 'village').map((u) => u.id);
  roster.people.push(...Array.from({ length: HERD_PEOPLE }, (_, i) => herdPerson(i, villages)));
  await fs.writeFile(path.join(dir, 'roster.yaml'), stringify(roster));
  return dir;
}
