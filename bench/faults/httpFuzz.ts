import fc from 'fast-check';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { settings } from '../../src/config';
import { OrgTree } from '../../src/roster/orgTree';
import { taskStateQuery } from '../../src/contracts/dutyTask';
import { login, startStack } from '../../tests/http/stack';
import { canonical, until } from '../lib/stats';
import type { FuzzTally } from './badInput';

const weirdId = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', ' ', '..', 'task:x', "'; DROP", '%2F', 'a'.repeat(400), '🙂'));
const weirdDate = fc.oneof(fc.constantFrom('2026-02-30', '2026-13-01', '2026-1-1', '', '2026-03-01', '2026-03-31'), fc.string({ maxLength: 12 }));
const body = fc.oneof(
  fc.jsonValue(),
  fc.record({ note: fc.string({ maxLength: 50 }), fields: fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean())) }, { requiredKeys: [] }),
  fc.record({ reason: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('  ')) }, { requiredKeys: [] }),
  fc.record({ from: weirdDate, to: weirdDate }, { requiredKeys: [] }),
  // Well-formed ones too, so refusals are not all the fuzzer ever sees.
  fc.record({ note: fc.string({ maxLength: 20 }), fields: fc.record({ recordsImported: fc.integer({ min: -5, max: 5000 }) }) }),
  fc.record({ reason: fc.string({ minLength: 1, maxLength: 20 }) }),
);

async function post(url: string, cookie: string, body: string): Promise<{ status: number; text: string; json(): unknown }> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  } catch (err) {
    return { status: 0, text: String(err), json: () => ({}) };
  }
}

async function settled(image: () => Promise<string>): Promise<void> {
  let last = '';
  let steady = 0;
  await until(async () => {
    const now = await image();
    steady = now === last ? steady + 1 : 0;
    last = now;
    return steady >= 3;
  }, 60_000, 1000);
}

/**
 * Fuzzes the HTTP API's writing routes as a signed-in administrator on a real stack: no 5xx, a refused request leaves
 * the task or the schedules exactly as they were, and a 400/422 says which field was wrong.
 */
export async function fuzzHttp(cases: number, seed: number): Promise<FuzzTally> {
  const t: FuzzTally = { input: 'HTTP API (POST routes)', cases: 0, accepted: 0, refused: 0, crashes: 0, partialWrites: 0, unplaced: 0, examples: [] };
  const admin = new OrgTree((await loadCatalog(settings().catalogDir)).roster).admins()[0]?.id ?? '';
  const stack = await startStack({ people: [admin] });
  try {
    const cookie = await login(stack.baseUrl, admin);
    const taskIds = await stack.openPeriod('monthly-data-import', '2026-03');
    const dutyIds = (await stack.services.catalog()).duties.map((d) => d.id);
    const cases_ = fc.sample(
      fc.record({ route: fc.constantFrom('complete', 'waive', 'pause', 'backfill'), known: fc.boolean(), pick: fc.nat(), id: weirdId, body, raw: fc.option(fc.string({ maxLength: 40 }), { freq: 5 }) }),
      { numRuns: cases, seed },
    );
    const image = async (route: string, id: string): Promise<string> => {
      if (route === 'complete' || route === 'waive') {
        try {
          // Only what a request can write: the worker keeps adding notices and the overdue status meanwhile.
          const st = await stack.client.workflow.getHandle(id).query(taskStateQuery);
          return canonical({ completion: st.completion, waiver: st.waiver, events: st.events.filter((e) => e.actor !== 'system') });
        } catch {
          return 'absent';
        }
      }
      const out: unknown[] = [];
      for await (const s of stack.client.schedule.list()) out.push({ id: s.scheduleId, paused: s.state.paused });
      const { count } = await stack.client.workflow.count('');
      return canonical({ out, count });
    };
    for (const c of cases_) {
      const isTask = c.route === 'complete' || c.route === 'waive';
      const pool = isTask ? taskIds : dutyIds;
      const id = c.known ? (pool[c.pick % pool.length] ?? '') : c.id;
      const url = isTask ? `/api/tasks/${encodeURIComponent(id)}/${c.route}` : `/api/duties/${encodeURIComponent(id)}/${c.route}`;
      const before = await image(c.route, id);
      // A raw string stands for a broken client: not JSON at all, sent as JSON.
      const sent = c.raw ?? JSON.stringify(c.body);
      const res = await post(`${stack.baseUrl}${url}`, cookie, sent);
      t.cases += 1;
      if (res.status >= 500 || res.status === 0) {
        t.crashes += 1;
        if (t.examples.length < 5) t.examples.push(`${res.status} ${url} ${sent.slice(0, 200)} → ${res.text.slice(0, 200)}`);
        continue;
      }
      if (res.status < 300) {
        t.accepted += 1;
        if (c.route === 'pause') await post(`${stack.baseUrl}/api/duties/${encodeURIComponent(id)}/resume`, cookie, '{}');
        // A backfill's cycles start after the request returns, and schedule listings (visibility) show a pause or a
        // resume a moment later: wait until they are seen, so the next refused request is not blamed for them.
        if (!isTask) await settled(() => image(c.route, id));
        continue;
      }
      t.refused += 1;
      if ((await image(c.route, id)) !== before) {
        t.partialWrites += 1;
        if (t.examples.length < 5) t.examples.push(`refused ${res.status} but state changed: ${url}`);
      }
      let error: { error?: string; issues?: { field: string }[] } = {};
      try {
        error = res.json() as typeof error;
      } catch {
        // not JSON: counted below as unplaced
      }
      const placed = res.status === 400 || res.status === 422 ? Boolean(error.issues?.length) || /[A-Za-z]+\)|\(|:/.test(error.error ?? '') : Boolean(error.error);
      if (!placed) {
        t.unplaced += 1;
        if (t.examples.length < 5) t.examples.push(`${res.status} without a place: ${url} ${sent.slice(0, 120)} → ${res.text.slice(0, 160)}`);
      }
    }
    return t;
  } finally {
    await stack.stop();
  }
}
