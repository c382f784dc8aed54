import path from 'node:path';
import { DateTime } from 'luxon';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { engineClient } from '../scenarios/herd';
import { fuzzCatalog, fuzzHouseholdCsv, type FuzzTally } from './badInput';
import { fuzzHttp } from './httpFuzz';
import { openRig } from './rig';
import { ZONE } from '../../src/shared/zone';

/** Every input the engine takes from people, fuzzed against a real dev server: catalog, roster, household CSV, HTTP. */
export async function runInputFuzz(o: { cases: number; seed: number; dir: string; keys: PayloadKeys; log: (line: string) => void }): Promise<FuzzTally[]> {
  const rig = await openRig({ label: 'input', tasks: 0, smtpRate: 0, leadSec: 0, bundle: '', keys: o.keys, noWorker: true });
  const tallies: FuzzTally[] = [];
  try {
    const env = {
      client: engineClient(rig.cluster, o.keys),
      cliEnv: {
        TEMPORAL_ADDRESS: rig.cluster.server.address,
        DUTY_TASK_QUEUE: 'input',
        DUTY_CATALOG_DIR: path.join(rig.cluster.dir, 'catalog'),
        DUTY_DATA_DIR: path.join(rig.cluster.dir, 'data'),
        DUTY_PAYLOAD_KEY: o.keys.current?.key.toString('base64') ?? 'off',
      },
      dir: o.dir,
      seed: o.seed,
    };
    for (const target of ['duties', 'roster'] as const) {
      tallies.push(await fuzzCatalog(env, target, o.cases));
      o.log(`bad input: ${target} done`);
    }
    const villages = rig.tree.roster.units.filter((u) => u.kind === 'village').map((u) => u.id);
    tallies.push(await fuzzHouseholdCsv(env, villages, DateTime.now().setZone(ZONE).toISODate() ?? '', o.cases));
    o.log('bad input: household CSV done');
  } finally {
    await rig.close();
  }
  tallies.push(await fuzzHttp(o.cases, o.seed));
  o.log('bad input: HTTP done');
  return tallies;
}
