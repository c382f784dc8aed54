import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { OrgTree } from '../../src/roster/orgTree';
import type { NotifyRequest } from '../../src/contracts/dutyTask';
import type { Roster } from '../../src/shared/types';
import { roster } from '../fixtures/org';

/** The shared test county, with a WeCom robot on the township and a DingTalk robot on the department. */
export const MOBILE = '13800000001';
export const robotRoster: Roster = {
  units: roster.units.map((u) =>
    u.id === 't-east'
      ? { ...u, robots: { wecom: { webhookEnv: 'TEST_WECOM_EAST' } } }
      : u.id === 'dept-edu'
        ? { ...u, robots: { dingtalk: { webhookEnv: 'TEST_DINGTALK_EDU', secretEnv: 'TEST_DINGTALK_EDU_SECRET' } } }
        : u,
  ),
  people: roster.people.map((p) =>
    p.id === 'p-pine-1'
      ? { ...p, channel: 'wecom' as const, mobile: MOBILE }
      : p.id === 'p-edu'
        ? { ...p, channel: 'dingtalk' as const, mobile: '13800000002' }
        : p,
  ),
};
export const robotTree = new OrgTree(robotRoster);

export function request(opts: { kind?: NotifyRequest['kind']; level?: number; assignee?: { personId: string; unitId: string }; urgent?: boolean } = {}): NotifyRequest {
  const assignee = opts.assignee ?? { personId: 'p-pine-1', unitId: 'v-pine' };
  const kind = opts.kind ?? 'reminder';
  return {
    notificationId: `task:village-report:2026-03:${assignee.unitId}/${kind}-1`,
    kind,
    level: opts.level ?? 0,
    plannedAt: '2026-03-12T09:00:00.000+08:00',
    urgent: opts.urgent ?? false,
    task: {
      taskId: `task:village-report:2026-03:${assignee.unitId}`,
      dutyId: 'village-report',
      dutyTitle: '村级月度报表',
      period: '2026-03',
      dueOn: '2026-03-16',
      dueAt: '2026-03-16T18:00:00.000+08:00',
      provisional: false,
      assignee,
      requiredFields: [{ key: 'householdsVisited', label: '走访户数' }],
    },
  };
}

/** A pino logger whose every line is kept, to prove no mobile number or webhook key is ever logged. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}
