import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { checkCharacter } from '../../src/validation/idCard';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { until } from '../lib/stats';
import { runCli } from './cli';
import { openRig } from './rig';
import { scanBuffer, scanFiles, scanTemporal, type Canary, type Finding } from './scan';
import { ZONE } from '../../src/shared/zone';

export interface PrivacyResult {
  canaries: string[];
  workflowsScanned: number;
  eventsScanned: number;
  filesScanned: number;
  cliOutputsScanned: number;
  findings: Finding[];
  /** Paths the canary travelled, so a zero means something. */
  reached: string[];
}

const FIRST17 = '43098119991231001';
export const CANARY_ID = `${FIRST17}${checkCharacter(FIRST17)}`;
export const CANARY_NAME = '钟离金丝雀';

/**
 * Plants a canary household (name and ID-card number) through the real import, lets its revisit programme open a
 * task and notify the village, plants the same ID number where an administrator might mistype it (a roster chat id,
 * a refused CSV row, an unknown roster field), then scans Temporal, the logs, the outbox, the send ledger and every
 * CLI output for the plain values.
 */
export async function privacy(o: { bundle: string; keys: PayloadKeys; log: (line: string) => void }): Promise<PrivacyResult> {
  const canaries: Canary[] = [
    { label: 'ID number', value: CANARY_ID },
    { label: 'name', value: CANARY_NAME },
  ];
  const typo = { id: 'p-typo', name: '录入员', unit: 'v-001', roles: ['cadre' as const], email: 'typo@example.org', chatId: CANARY_ID };
  // Info-level worker logs: the scan should see every line the engine writes in normal operation.
  const rig = await openRig({ label: 'privacy', tasks: 0, smtpRate: 0, leadSec: 0, bundle: o.bundle, keys: o.keys, extraPeople: [typo], logLevel: 'info' });
  const outputs: string[] = [];
  const reached: string[] = [];
  try {
    const catalog = path.join(rig.cluster.dir, 'catalog');
    const cliEnv = {
      TEMPORAL_ADDRESS: rig.cluster.server.address,
      DUTY_TASK_QUEUE: 'privacy',
      DUTY_CATALOG_DIR: catalog,
      DUTY_DATA_DIR: path.join(rig.cluster.dir, 'data'),
      DUTY_PAYLOAD_KEY: rig.workerEnv.DUTY_PAYLOAD_KEY ?? '',
    };
    const today = DateTime.now().setZone(ZONE);
    const cleared = today.minus({ days: 100 }).toISODate();
    const header = '户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期';
    const good = path.join(rig.cluster.dir, 'canary.csv');
    writeFileSync(good, `${header}\nCANARY-1,${CANARY_NAME},${CANARY_ID},v-001,边缘易致贫户,因病,${today.minus({ days: 300 }).toISODate()},${cleared}\n`);
    const imported = await runCli(['household', 'import', good], cliEnv);
    outputs.push(imported.out, imported.err);
    if (imported.code !== 0) throw new Error(`canary import refused: ${imported.err}`);
    reached.push('household import');
    // The first revisit is already overdue, so the village hears about it at once.
    const outbox = rig.workerEnv.DUTY_OUTBOX_DIR ?? '';
    const notified = await until(() => scanFiles([outbox], [{ label: 'task', value: 'post-clearance-revisit' }]).findings.length > 0, 90_000, 1000);
    if (notified) reached.push('revisit task notified the village (outbox)');
    for (const args of [['household', 'show', 'CANARY-1'], ['household', 'list'], ['task', 'list']]) {
      const r = await runCli(args, cliEnv);
      outputs.push(r.out, r.err);
    }
    // The same person again under another id, and a malformed row: both refused, the ID number named in the error.
    const bad = path.join(rig.cluster.dir, 'canary-bad.csv');
    writeFileSync(bad, `${header}\nCANARY-2,${CANARY_NAME},${CANARY_ID},v-001,边缘易致贫户,因病,${today.minus({ days: 300 }).toISODate()},\nCANARY-3,${CANARY_NAME},${CANARY_ID}X,v-999,?,因病,2099-01-01,\n`);
    const refused = await runCli(['household', 'import', bad], cliEnv);
    outputs.push(refused.out, refused.err);
    if (refused.code === 2) reached.push('refused CSV rows');
    const rosterDir = path.join(rig.cluster.dir, 'bad-roster');
    cpSync(catalog, rosterDir, { recursive: true });
    writeFileSync(path.join(rosterDir, 'roster.yaml'), `units:\n  - { id: bureau, name: 局, kind: bureau }\npeople:\n  - { id: p-1, name: ${CANARY_NAME}, unit: bureau, roles: [admin], mobile: '${CANARY_ID}', idNumber: '${CANARY_ID}' }\n`);
    const badRoster = await runCli(['validate', rosterDir], cliEnv);
    outputs.push(badRoster.out, badRoster.err);
    if (badRoster.code === 2) reached.push('refused roster');
    reached.push('roster chat id of a cadre');

    const temporal = await scanTemporal(rig.cluster.connection, 'default', canaries);
    const files = scanFiles([...rig.logFiles(), outbox, path.join(rig.cluster.dir, 'data')], canaries);
    const cli = outputs.flatMap((text, i) => scanBuffer(`CLI output #${i}`, Buffer.from(text, 'utf8'), canaries));
    return {
      canaries: canaries.map((c) => c.label),
      workflowsScanned: temporal.workflows,
      eventsScanned: temporal.events,
      filesScanned: files.files,
      cliOutputsScanned: outputs.length,
      findings: [...temporal.findings, ...files.findings, ...cli],
      reached,
    };
  } finally {
    await rig.close();
  }
}
