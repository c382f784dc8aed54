import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { writeHousehold } from '../../src/households/client';
import { checkCharacter } from '../../src/validation/idCard';
import type { OrgTree } from '../../src/roster/orgTree';
import { MONITORING_TYPES, type HouseholdRecord } from '../../src/shared/household';
import * as workflows from '../../workflows';
import { eachParallel } from '../lib/tasks';
import { ZONE } from '../../src/shared/zone';

const FAMILY = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平';

/** The household programmes are another engineer's feature; the county year runs them once the workflows exist. */
export function householdsAvailable(): boolean {
  const exported = workflows as Record<string, unknown>;
  return typeof exported.household === 'function' && typeof exported.revisitProgramme === 'function';
}

/** A fictional household whose risk was cleared 5–80 days before `asOf`; valid ID number, fictional name. */
export function benchHousehold(i: number, villageId: string, asOf: string): HouseholdRecord {
  const day = DateTime.fromISO(asOf, { zone: ZONE });
  const birth = DateTime.fromObject({ year: 1950 + (i % 50), month: 1 + (i % 12), day: 1 + (i % 28) });
  const first17 = `430981${birth.toFormat('yyyyMMdd')}${String(i % 1000).padStart(3, '0')}`;
  return {
    householdId: `YEAR-${String(i + 1).padStart(6, '0')}`,
    headName: `${FAMILY[i % FAMILY.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 13) % GIVEN.length]}`,
    idNumber: `${first17}${checkCharacter(first17)}`,
    villageId,
    monitoringType: MONITORING_TYPES[i % MONITORING_TYPES.length] ?? '脱贫不稳定户',
    riskTypes: ['因病'],
    identifiedOn: day.minus({ days: 200 + (i % 300) }).toISODate() ?? '',
    riskClearedOn: day.minus({ days: 5 + (i % 75) }).toISODate() ?? '',
  };
}

/** Registers `n` households through the household client (as an import would); each starts its revisit programme. */
export async function startHouseholds(client: Client, taskQueue: string, tree: OrgTree, n: number, asOf: string): Promise<number> {
  const villages = tree.roster.units.filter((u) => u.kind === 'village').map((u) => u.id);
  const records = Array.from({ length: n }, (_, i) => benchHousehold(i, villages[i % villages.length] ?? '', asOf));
  await eachParallel(records, 16, async (r) => {
    await writeHousehold(client, taskQueue, tree, r, 'p-admin');
  });
  return n;
}
