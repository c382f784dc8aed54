import { duty } from '../support/cli';

interface PreviewRow {
  period: string;
  opensOn: string;
  dueOn: string;
  dueAt: string;
  reminders: string[];
  provisional: boolean;
}

test('preview --json lists every occurrence with the shifted deadline, reminders and the provisional flag', async () => {
  const { code, out } = await duty('preview', 'monthly-data-import', '--from', '2026-01-01', '--to', '2027-01-31', '--json');
  expect(code).toBe(0);
  const rows = JSON.parse(out) as PreviewRow[];
  expect(rows.map((r) => r.period)).toEqual([...Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`), '2027-01']);
  // 2026-03-15 is a Sunday: the legal rule moves it to Monday.
  expect(rows[2]).toEqual({
    ...rows[2],
    period: '2026-03',
    opensOn: '2026-03-01',
    dueOn: '2026-03-16',
    dueAt: '2026-03-16T18:00:00.000+08:00',
    reminders: ['2026-03-11T09:00:00.000+08:00', '2026-03-13T09:00:00.000+08:00', '2026-03-16T09:00:00.000+08:00'],
    provisional: false,
  });
  // 2026-02-15 is in the Spring Festival holiday (02-15 to 02-23).
  expect(rows[1]?.dueOn).toBe('2026-02-24');
  expect(rows[12]?.provisional).toBe(true);
});

test('preview of a seasonal campaign gives one deadline per phase inside the solar-term window', async () => {
  const { out } = await duty('preview', 'seasonal-campaign-spring', '--from', '2026-01-01', '--to', '2026-12-31', '--json');
  const rows = JSON.parse(out) as (PreviewRow & { phase: string })[];
  expect(rows.map((r) => [r.period, r.phase])).toEqual([
    ['2026-spring', 'kickoff'],
    ['2026-spring', 'midterm'],
    ['2026-spring', 'summary'],
  ]);
  expect(rows[0]?.opensOn).toBe('2026-02-04');
  // The window ends the day before 立夏 (2026-05-05), inside the May Day holiday: the summary moves to 05-06.
  expect(rows[2]).toMatchObject({ nominalDueOn: '2026-05-04', dueOn: '2026-05-06' });
});

test('the table preview is Chinese and marks provisional years', async () => {
  const { out } = await duty('preview', 'three-assets-disclosure', '--from', '2027-01-01', '--to', '2027-12-31');
  expect(out).toContain('截止(调整后)');
  expect(out).toContain('是(无节假日数据)');
});

test.each([
  [['preview', 'monthly-data-import', '--from', '2026-02-30', '--to', '2026-03-01'], '日期必须是有效的 YYYY-MM-DD,收到 "2026-02-30"'],
  [['preview', 'no-such-duty', '--from', '2026-01-01', '--to', '2026-03-01'], '找不到职责: no-such-duty'],
  [['task', 'list', '--status', 'late'], '必须是 open / overdue / review / done / waived 之一,收到 "late"'],
  [['task', 'list', '--flag', 'late'], '必须是 unacknowledged / progress / extensionRequested / extended / returned / suspended 之一,收到 "late"'],
  [['report', 'overdue', '--format', 'pdf'], '必须是 table / json / csv / xlsx 之一,收到 "pdf"'],
  [['backfill', 'monthly-data-import', '--from', '2026-05-01', '--to', '2026-04-01'], '--from (2026-05-01) 不能晚于 --to (2026-04-01)'],
  [['validate', 'no/such/dir'], 'no/such/dir'],
])('bad input %j is refused before anything is touched', async (args, message) => {
  const { code, err } = await duty(...args);
  expect(code).not.toBe(0);
  expect(err).toContain(message);
});

test.each([
  [['emergency', 'suspend', '--units', 't-qionghu', '--from', '2099-01-05', '--to', '2099-01-01', '--reason', '汛期'], 'to: 结束日期早于开始日期 2099-01-05'],
  [['emergency', 'suspend', '--units', 't-nowhere', '--from', '2099-01-01', '--to', '2099-01-05', '--reason', '汛期'], 'units: 名册中没有此单位(值: "t-nowhere")'],
  [['emergency', 'suspend', '--units', 't-qionghu', '--from', '2099-01-01', '--to', '2099-01-05', '--reason', ' '], 'reason: 原因不能为空'],
  [['emergency', 'lift', 'em-20990101-1'], '找不到紧急情况 em-20990101-1'],
])('an emergency command with bad input %j exits 2 with the option named, before Temporal is asked', async (args, message) => {
  const { code, err } = await duty(...args);
  expect(code).toBe(2);
  expect(err).toContain(message);
});

test('validate reports the default catalog as valid', async () => {
  const { code, out } = await duty('validate');
  expect(code).toBe(0);
  expect(out).toMatch(/^校验通过: \d+ 项职责,\d+ 个单位,\d+ 名人员。/);
});
