import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileAuditLog } from '../../src/audit/fileLog';
import { taskStateQuery, type TaskState } from '../../src/contracts/dutyTask';
import { OPERATOR } from '../../src/auth/policy';
import { applyCatalog, planCatalog } from '../../src/services/duties';
import { findTasks } from '../../src/services/tasks';
import pino from 'pino';
import { watchRoster } from '../../scripts/watchers';
import { eventually } from '../support/cli';
import { startStack, type Stack } from '../http/stack';

const LEAVER = 'p-xhz-cadre1';
const SUCCESSOR = 'p-xhz-cadre2';
let stack: Stack;
let catalogDir: string;

beforeAll(async () => {
  catalogDir = mkdtempSync(path.join(os.tmpdir(), 'duty-roster-'));
  cpSync(path.resolve('catalog/default'), catalogDir, { recursive: true });
  stack = await startStack({ catalogDir });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(catalogDir, { recursive: true, force: true });
});

/** The leaver's line goes; the file's time moves on so every reader sees a new roster. */
function removeFromRoster(personId: string): void {
  const file = path.join(catalogDir, 'roster.yaml');
  const kept = readFileSync(file, 'utf8').split('\n').filter((line) => !line.includes(`id: ${personId},`));
  writeFileSync(file, kept.join('\n'));
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
}

test('a cadre who leaves the roster: duty plan shows the move, apply passes each open task to the unit’s next cadre with audit and notices', async () => {
  const ids = await stack.openPeriod('three-assets-disclosure', '2026-Q4');
  const taskId = ids.find((id) => id.endsWith(':v-xiaohezui'));
  if (!taskId) throw new Error('no task for 小河咀村');
  const handle = stack.client.workflow.getHandle(taskId);
  expect((await handle.query(taskStateQuery)).assignee.personId).toBe(LEAVER);
  expect((await planCatalog(stack.services)).rosterMoves).toEqual([]);

  removeFromRoster(LEAVER);
  const planned = (await planCatalog(stack.services)).rosterMoves;
  expect(planned).toEqual([{ taskId, dutyId: 'three-assets-disclosure', from: { personId: LEAVER, unitId: 'v-xiaohezui' }, to: { personId: SUCCESSOR, unitId: 'v-xiaohezui' }, reason: `名册变更:${LEAVER} 已不在名册中` }]);
  // A plan changes nothing.
  expect((await handle.query(taskStateQuery)).assignee.personId).toBe(LEAVER);

  const applied = await applyCatalog(stack.services, { id: 'cli:test', via: 'cli' }, undefined, false);
  expect(applied.rosterMoves.map((m) => m.taskId)).toEqual([taskId]);
  const state: TaskState = await eventually(
    () => handle.query(taskStateQuery),
    (s) => s.deliveries.some((d) => d.kind === 'reassigned'),
  );
  expect(state.assignee).toEqual({ personId: SUCCESSOR, unitId: 'v-xiaohezui' });
  expect(state.previousAssignees).toMatchObject([{ personId: LEAVER, by: 'system', reason: `名册变更:${LEAVER} 已不在名册中` }]);
  expect(state.events.at(-1)).toMatchObject({ action: 'reassigned', actor: 'system' });
  expect(state.deliveries.filter((d) => d.kind === 'reassigned').map((d) => d.personId)).toEqual([SUCCESSOR]);
  // The leaver is no longer in the roster, so nobody can be told on their behalf; their history stays on the task.
  expect(state.deliveries.filter((d) => d.kind === 'handedOver' && d.result === 'sent')).toEqual([]);

  const listed = await eventually(
    () => findTasks(stack.services, OPERATOR, { assignee: SUCCESSOR, dutyId: 'three-assets-disclosure' }),
    (tasks) => tasks.some((t) => t.taskId === taskId),
  );
  expect(listed.map((t) => t.taskId)).toContain(taskId);
  const trail = (await FileAuditLog.inDataDir(stack.settings.dataDir).list()).filter((e) => e.action === 'task.reassign');
  expect(trail).toMatchObject([{ actor: 'system', via: 'system', target: taskId, detail: { from: LEAVER, to: SUCCESSOR, roster: true } }]);

  // Applying again moves nothing twice.
  expect((await applyCatalog(stack.services, { id: 'cli:test', via: 'cli' }, undefined, false)).rosterMoves).toEqual([]);
});

test('the running engine notices a roster change by itself; a unit left with nobody holding the role passes the task to its supervisor', async () => {
  const taskId = 'task:three-assets-disclosure:2026-Q4:v-xiaohezui';
  const handle = stack.client.workflow.getHandle(taskId);
  const stop = watchRoster(stack.services, pino({ level: 'silent' }), 200);
  try {
    removeFromRoster(SUCCESSOR);
    const state = await eventually(
      () => handle.query(taskStateQuery),
      (s) => s.assignee.personId !== SUCCESSOR,
    );
    // 小河咀村 has no cadre left: its own supervisor holds the task, which stays with the village.
    expect(state.assignee).toEqual({ personId: 'p-qh-sup', unitId: 'v-xiaohezui' });
    expect(state.previousAssignees?.map((p) => p.personId)).toEqual([LEAVER, SUCCESSOR]);
  } finally {
    stop();
  }
});
