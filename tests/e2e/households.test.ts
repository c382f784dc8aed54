import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import pino from 'pino';
import { loadCatalog } from '../../src/sources/catalogFiles';
import type { AuditEntry } from '../../src/audit/log';
import { CliContext } from '../../src/cli/context';
import { settings } from '../../src/config';
import { listHouseholds } from '../../src/households/client';
import { checkCharacter } from '../../src/validation/idCard';
import { OutboxChannel } from '../../src/notify/outbox';
import type { CycleRollup } from '../../src/report/cycle';
import type { TargetReport } from '../../src/report/target';
import { OrgTree } from '../../src/roster/orgTree';
import { householdWorkflowId } from '../../src/contracts/household';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { cycleRollupFor, targetReportFor } from '../../src/services/rollups';
import { listTasks } from '../../src/tasks/query';
import { createDutyWorker } from '../../worker';
import { testConverter, TEST_KEY } from '../households/support';
import { duty, eventually } from '../support/cli';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-households-e2e-'));
const taskQueue = `households-e2e-${Date.now()}`;
const ZONE = 'Asia/Shanghai';
const today = DateTime.now().setZone(ZONE);
const daysAgo = (n: number) => today.minus({ days: n }).toISODate() ?? '';

/** Everything the system wrote for people to read: worker logs (pino and SDK), CLI output, notification files. */
const logs: string[] = [];
const cliOutput: string[] = [];

let server: DevServer;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let tree: OrgTree;

// Twelve fictional households; a distinctive family name makes any leak easy to spot.
const VILLAGES = ['v-hongxing', 'v-xinsheng', 'v-xiaohezui', 'v-tuanjie', 'v-xianfeng', 'v-heping', 'v-guangming', 'v-xinhe', 'v-shengli', 'v-fuxing', 'v-chunfeng', 'v-hongxing'];
const people = VILLAGES.map((village, i) => {
  const first17 = `4309811978${String(i + 1).padStart(2, '0')}15${String(100 + i).padStart(3, '0')}`;
  return {
    householdId: `YJ-2026-${String(i + 1).padStart(4, '0')}`,
    name: `甄测试${'一二三四五六七八九十'[i % 10]}${i >= 10 ? '号' : ''}`,
    idNumber: `${first17}${checkCharacter(first17)}`,
    village,
    // Five cleared recently (programmes start), one cleared over a year ago (none starts), six still monitored.
    cleared: i < 5 ? daysAgo(10 + i * 7) : i === 5 ? daysAgo(400) : '',
  };
});

function householdCsv(badRow?: number, changedRow?: number): string {
  const rows = people.map((p, i) => {
    const id = i === badRow ? `${p.idNumber.slice(0, 17)}${p.idNumber[17] === '0' ? '1' : '0'}` : p.idNumber;
    const risks = i === changedRow ? '因病、因学' : '因病';
    return [p.householdId, p.name, id, p.village, '边缘易致贫户', risks, '2025-03-01', p.cleared].join(',');
  });
  return ['户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期', ...rows].join('\n');
}

async function cli(...args: string[]) {
  const r = await duty(...args);
  cliOutput.push(r.out, r.err);
  return r;
}

beforeAll(async () => {
  const capture = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  installRuntimeLogging(capture);
  server = await startDevServer({ headless: true, dbFile: path.join(tmp, 'temporal.db') });
  tree = new OrgTree((await loadCatalog(settings().catalogDir)).roster);
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    DUTY_TASK_QUEUE: taskQueue,
    DUTY_DATA_DIR: tmp,
    DUTY_PAYLOAD_KEY: TEST_KEY.toString('base64'),
  });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace, dataConverter: testConverter() });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  worker = await createDutyWorker({
    connection: nativeConnection,
    client,
    namespace: server.namespace,
    settings: { ...settings(), taskQueue, dataDir: tmp, quietHours: false },
    logger: capture,
    channels: { outbox: new OutboxChannel(path.join(tmp, 'outbox')) },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const cadreOf = (unitId: string) => tree.peopleOf(unitId, 'cadre')[0]?.id ?? '';

test('import (refused, then fixed), programmes start, clearance is idempotent, the sweep and the income target roll up, and nothing personal leaks', async () => {
  const file = path.join(tmp, '监测对象.csv');

  // 1. One bad row: nothing is imported, and the report names row, column, masked value and reason.
  writeFileSync(file, householdCsv(3));
  const refused = await cli('household', 'import', file);
  expect(refused.code).toBe(2);
  const bad = people[3];
  expect(refused.err).toContain(`第 5 行 身份证号: 校验码不符(值: "${bad?.idNumber.slice(0, 6)}********${bad?.idNumber.slice(14, 17)}`);
  expect(refused.err).toContain('未导入任何记录');
  expect(await listHouseholds(client)).toHaveLength(0);

  // 2. Fixed: all twelve are imported; the same file again changes nothing, not even a household's history.
  writeFileSync(file, householdCsv());
  const imported = await cli('household', 'import', file);
  expect(imported).toMatchObject({ code: 0 });
  expect(imported.out).toContain('导入完成: 12 户,新增 12 户,更新 0 户,无变化 0 户。');
  expect(imported.out).toContain('其中 6 户有风险消除日期');
  const first = client.workflow.getHandle(householdWorkflowId(people[7]?.householdId ?? ''));
  // Once its first workflow task is done, an idle household's history only grows if something is written to it.
  const settled = await eventually(() => first.fetchHistory(), (h) => h.events?.some((e) => e.workflowTaskCompletedEventAttributes) ?? false);
  const eventsBefore = settled.events?.length;
  expect((await cli('household', 'import', file)).out).toContain('新增 0 户,更新 0 户,无变化 12 户');
  expect((await first.fetchHistory()).events?.length).toBe(eventsBefore);
  // A changed row updates that household only; a dry run writes (and audits) nothing.
  writeFileSync(file, householdCsv(undefined, 7));
  expect((await cli('household', 'import', file, '--dry-run')).out).toContain('将新增 0 户,更新 1 户');
  expect((await cli('household', 'import', file)).out).toContain('新增 0 户,更新 1 户,无变化 11 户');

  // 3. The five recent clearances each start a programme whose first revisit goes to the village's cadres.
  const revisits = await eventually(
    () => listTasks(client, { dutyId: 'post-clearance-revisit' }),
    (tasks) => tasks.length === 5,
  );
  expect(revisits.map((t) => t.unit).sort()).toEqual(people.slice(0, 5).map((p) => p.village).sort());
  expect((await client.workflow.count(`WorkflowType = 'revisitProgramme'`)).count).toBe(5);
  const shown = await cli('household', 'show', people[0]?.householdId ?? '');
  expect(shown.out).toContain(`户主 甄***  身份证号 ${people[0]?.idNumber.slice(0, 6)}********${people[0]?.idNumber.slice(14)}`);
  expect(shown.out).toMatch(/第1次\s+开启 \S+ 截止 \S+\s+办理中/);
  expect((await cli('household', 'show', people[5]?.householdId ?? '')).out).toContain('风险已消除·回头看已结束');

  // Clearing a monitored household starts its programme; doing it again starts nothing.
  const target = people[8]?.householdId ?? '';
  const on = daysAgo(1);
  const cleared = await cli('household', 'clear', target, '--on', on, '--by', 'p-admin');
  expect(cleared.out).toContain(`回头看计划 revisit:${target}:${on} 已启动`);
  const again = await cli('household', 'clear', target, '--on', on, '--by', 'p-admin');
  expect(again).toMatchObject({ code: 0 });
  expect(again.out).toContain('已存在,未重复启动');
  const unknown = await cli('household', 'clear', 'h-nobody', '--on', on, '--by', 'p-admin');
  expect(unknown).toMatchObject({ code: 1 });
  expect(unknown.err).toContain('找不到农户: h-nobody');
  expect((await client.workflow.count(`WorkflowType = 'revisitProgramme'`)).count).toBe(6);

  // Risk found on a monitored household, and risk returned during a revisit year, each start a lifecycle.
  const found = people[9]?.householdId ?? '';
  expect((await cli('household', 'risk-found', found, '--on', on, '--by', 'p-admin')).out).toContain(`识别帮扶流程 lifecycle:${found}:${on} 已启动`);
  const returned = people[1]?.householdId ?? '';
  expect((await cli('household', 'risk-returned', returned, '--on', on, '--by', 'p-admin')).out).toContain(`识别帮扶流程 lifecycle:${returned}:${on} 已启动`);

  // Every change is audited by household id, village and dates; a refused, repeated or dry-run change is not.
  const audit = JSON.parse((await cli('audit', '--json')).out) as AuditEntry[];
  const households = audit.filter((e) => e.action.startsWith('household.'));
  expect(households.map((e) => e.action)).toEqual(['household.risk-returned', 'household.risk-found', 'household.clear', 'household.import', 'household.import', 'household.import']);
  expect(households.every((e) => e.via === 'cli' && e.actor.startsWith('cli:'))).toBe(true);
  expect(households[0]).toMatchObject({ target: returned, unitId: people[1]?.village, detail: { on, by: 'p-admin', episode: `lifecycle:${returned}:${on}` } });
  expect(households[1]).toMatchObject({ target: found, unitId: people[9]?.village, detail: { on, by: 'p-admin', episode: `lifecycle:${found}:${on}` } });
  expect(households[2]).toMatchObject({ target, unitId: people[8]?.village, detail: { on, by: 'p-admin', episode: `revisit:${target}:${on}`, status: 'running' } });
  expect(households[3]).toMatchObject({ target: expect.stringMatching(/^sha256:[0-9a-f]{16}$/), detail: { by: 'import', rows: 12, created: 0, updated: 1, unchanged: 11 } });
  expect(households[5]?.detail).toMatchObject({ rows: 12, created: 12, updated: 0, unchanged: 0, withClearance: 6 });
  expect((await cli('audit', '--json', '--unit', people[9]?.village ?? '')).out).toContain(found);

  // 4. The 2026-H1 sweep: one task per village; figures that cannot be right are refused; the rest roll up.
  expect((await cli('apply')).code).toBe(0);
  expect((await cli('backfill', 'semiannual-full-sweep', '--from', '2026-01-01', '--to', '2026-01-01')).code).toBe(0);
  await eventually(() => listTasks(client, { dutyId: 'semiannual-full-sweep', period: '2026-H1' }), (t) => t.length === 11);
  const sweep = (unit: string) => `task:semiannual-full-sweep:2026-H1:${unit}`;
  const wrong = await cli('task', 'complete', sweep('v-hongxing'), '--by', cadreOf('v-hongxing'), '--field', 'householdsScreened=120', '--field', 'newlyIdentified=2', '--field', 'riskCleared=130');
  expect(wrong.code).toBe(2);
  expect(wrong.err).toContain('风险消除(riskCleared)=130 不能大于 排查户数(householdsScreened)=120');
  const figures: [string, number, number, number][] = [
    ['v-hongxing', 120, 2, 3],
    ['v-xinsheng', 80, 1, 0],
    ['v-xiaohezui', 150, 0, 5],
    ['v-guangming', 60, 3, 1],
  ];
  for (const [unit, screened, found, clearedCount] of figures) {
    const done = await cli('task', 'complete', sweep(unit), '--by', cadreOf(unit), '--field', `householdsScreened=${screened}`, '--field', `newlyIdentified=${found}`, '--field', `riskCleared=${clearedCount}`);
    expect(done).toMatchObject({ code: 0, err: '' });
  }
  const rollup = await eventually(
    async () => JSON.parse((await cli('report', 'cycle', 'semiannual-full-sweep', '--period', '2026-H1', '--format', 'json')).out) as CycleRollup,
    (r) => r.county.done === 4,
  );
  expect(rollup.county).toMatchObject({ units: 11, done: 4, sums: { householdsScreened: 410, newlyIdentified: 6, riskCleared: 9 } });
  const sjh = rollup.townships.find((t) => t.townshipId === 't-sijihong');
  expect(sjh?.tally).toMatchObject({ units: 2, done: 2, sums: { householdsScreened: 200, newlyIdentified: 3, riskCleared: 3 } });
  expect(rollup.townships.find((t) => t.townshipId === 't-caowei')?.tally).toMatchObject({ units: 3, done: 0 });
  const table = await cli('report', 'cycle', 'semiannual-full-sweep', '--period', '2026-H1');
  expect(table.out).toMatch(/全市合计\s*│?\s*4\/11/);
  const oneTownship = JSON.parse((await cli('report', 'cycle', 'semiannual-full-sweep', '--period', '2026-H1', '--unit', 't-sijihong', '--format', 'json')).out) as CycleRollup;
  expect(oneTownship).toMatchObject({ scope: { unitId: 't-sijihong' }, county: { units: 2, done: 2 } });

  // Through the service a township supervisor rolls up their own township; a cadre, another township and the
  // county-wide target are refused. Roll-ups only read: the audit does not grow.
  const audited = (await cli('audit', '--json')).out;
  const services = new CliContext();
  try {
    const supervisor = { role: 'supervisor' as const, personId: 'p-sjh-sup' };
    expect(await cycleRollupFor(services, supervisor, 'semiannual-full-sweep', { period: '2026-H1' })).toMatchObject({ scope: { unitId: 't-sijihong' }, county: { units: 2, done: 2 } });
    await expect(cycleRollupFor(services, supervisor, 'semiannual-full-sweep', { period: '2026-H1', unitId: 't-caowei' })).rejects.toThrow('找不到单位: t-caowei');
    await expect(cycleRollupFor(services, { role: 'cadre', personId: cadreOf('v-hongxing') }, 'semiannual-full-sweep', { period: '2026-H1' })).rejects.toThrow('干部无权查看报送汇总');
    await expect(targetReportFor(services, supervisor, 'collective-income', 2026)).rejects.toThrow('仅限可查看全市的账号');
  } finally {
    await services.close();
  }
  expect((await cli('audit', '--json')).out).toBe(audited);

  // The yearly income target: share of key and model villages at or above their line, by township.
  expect((await cli('backfill', 'collective-income-target', '--from', '2026-07-01', '--to', '2026-07-01')).code).toBe(0);
  await eventually(() => listTasks(client, { dutyId: 'collective-income-target', period: '2026-Q3' }), (t) => t.length === 7);
  for (const [unit, income] of [['v-hongxing', 120000], ['v-tuanjie', 90000], ['v-xinsheng', 250000]] as const) {
    expect((await cli('task', 'complete', `task:collective-income-target:2026-Q3:${unit}`, '--by', cadreOf(unit), '--field', `operatingIncomeYtd=${income}`)).code).toBe(0);
  }
  const income = await eventually(
    async () => JSON.parse((await cli('report', 'target', 'collective-income', '--year', '2026', '--format', 'json')).out) as TargetReport,
    (r) => r.targets.every((t) => t.villages.filter((v) => v.value !== undefined).length > 0),
  );
  expect(income.checkpoint).toBe('2026-Q3');
  const [key, model] = income.targets;
  expect(key?.county).toMatchObject({ total: 4, reached: 1, met: false });
  expect(model?.county).toMatchObject({ total: 3, reached: 1, met: false });
  expect(key?.townships.find((t) => t.townshipId === 't-sijihong')?.share).toMatchObject({ reached: 1, total: 1, met: true });

  // Without the key nothing personal can be read back, and nothing personal is accepted for writing.
  process.env.DUTY_PAYLOAD_KEY = 'off';
  const blind = await cli('household', 'show', people[0]?.householdId ?? '');
  expect(blind.code).not.toBe(0);
  expect(blind.err).toContain('当前没有该密钥');
  const keyless = await cli('household', 'import', file);
  expect(keyless.code).toBe(2);
  expect(keyless.err).toContain('未配置加密密钥');
  process.env.DUTY_PAYLOAD_KEY = TEST_KEY.toString('base64');

  // 5. No plain name or ID number anywhere: Temporal history (raw bytes, search attributes included), logs, CLI output, notifications.
  const secrets = people.flatMap((p) => [p.name, p.idNumber]);
  const histories: Buffer[] = [];
  for await (const info of client.workflow.list()) {
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    histories.push(Buffer.from(temporal.api.history.v1.History.encode(temporal.api.history.v1.History.fromObject(history as object)).finish()));
  }
  expect(histories.length).toBeGreaterThan(40);
  const raw = Buffer.concat(histories);
  // The scan can see: a plain JSON payload keeps a name as UTF-8 bytes, ids are there in plain text, and household
  // inputs are encrypted payloads.
  const control = temporal.api.common.v1.Payload.encode(defaultPayloadConverter.toPayload({ headName: people[0]?.name })).finish();
  expect(Buffer.from(control).includes(Buffer.from(people[0]?.name ?? '-'))).toBe(true);
  expect(raw.includes(Buffer.from(people[0]?.householdId ?? ''))).toBe(true);
  expect(raw.includes(Buffer.from('binary/encrypted'))).toBe(true);
  const outbox = readdirSync(path.join(tmp, 'outbox')).map((f) => readFileSync(path.join(tmp, 'outbox', f), 'utf8'));
  expect(outbox.length).toBeGreaterThan(0);
  expect(logs.length).toBeGreaterThan(0);
  const texts = [...logs, ...cliOutput, ...outbox, readFileSync(path.join(tmp, 'audit.jsonl'), 'utf8')].join('\n');
  const leaks = secrets.filter((s) => raw.includes(Buffer.from(s)) || texts.includes(s));
  expect(leaks).toEqual([]);
});
