import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';
import type { BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/auth/policy';
import { EmailChannel } from '../../src/notify/email';
import { showTask } from '../../src/services/tasks';
import { ZONE } from '../../src/shared/zone';
import { jpegWithExif, pdf } from '../evidence/fixtures';
import { PASSWORD, startStack, type Stack } from '../http/stack';
import { datesAfter, REVIEWED, stepEnv, type StepEnv } from '../http/stepFixtures';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { launchChromium, PHONE } from '../support/browser';

/**
 * The whole 督办 loop as its two people live it, on the dev server with real mail: the cadre opens the link in an
 * overdue mail on a phone, signs in, signs for the task, reports progress with a photo and asks for more time; the
 * supervisor, from the mail about the request, approves; the cadre completes; the supervisor returns it; the cadre
 * completes again; the supervisor accepts. Every mail arrives once, and every one carries the task's link.
 */

const CADRE = { id: 'p-xhz-cadre1', email: 'xhz.cadre1@example.org' };
const SUPERVISOR = { id: 'p-qh-sup', email: 'qh.sup@example.org' };

/** Last quarter, whose deadline has passed whatever day the test runs: opening it sends the overdue notice at once. */
function lastQuarter(): string {
  const d = DateTime.now().setZone(ZONE).minus({ months: 3 });
  return `${d.year}-Q${Math.ceil(d.month / 3)}`;
}

const TASK = `task:${REVIEWED}:${lastQuarter()}:v-xiaohezui`;

let env: StepEnv;
let sink: SmtpSink;
let stack: Stack;
let profile: string;
let browser: BrowserContext;
let page: Page;
let publicUrl: string;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  env = stepEnv();
  sink = await startSmtpSink();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  process.env.DUTY_PUBLIC_URL = publicUrl;
  profile = mkdtempSync(path.join(os.tmpdir(), 'duty-chromium-'));
  [stack, browser] = await Promise.all([
    startStack({
      people: [CADRE.id, SUPERVISOR.id],
      port,
      channels: { email: new EmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: '职责提醒 <duty@example.org>' }) },
    }),
    launchChromium(profile, { viewport: PHONE }),
  ]);
  page = browser.pages()[0] ?? (await browser.newPage());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await sink?.close();
  delete process.env.DUTY_PUBLIC_URL;
  env?.restore();
  rmSync(profile, { recursive: true, force: true });
});

function to(mail: ParsedMail): string | undefined {
  return mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
}

/** The next mail to `address` whose subject starts with `tag`, waited for. */
async function mailTo(address: string, tag: string): Promise<ParsedMail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = sink.messages.find((m) => to(m) === address && m.subject?.startsWith(tag));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail ${tag} to ${address}; got ${sink.messages.map((m) => `${to(m)} ${m.subject}`).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The task link as the plain text shows it; the HTML part's button points to the same place. */
function linkIn(mail: ParsedMail): string {
  const link = new RegExp(`${publicUrl}/tasks/[^\\s"<]+`).exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`no link in ${mail.subject}`);
  expect(mail.html || '').toContain(`href="${link}"`);
  return link;
}

/** Taps the link on a phone that is not signed in: the sign-in page first, then the task itself. */
async function openFromMail(mail: ParsedMail, personId: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(linkIn(mail));
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name=personId]', personId);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/tasks/')), page.click('button[type=submit]')]);
  expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/tasks/${TASK}`);
}

async function submit(selector: string, ok: string): Promise<void> {
  await Promise.all([page.waitForURL(new RegExp(`ok=${ok}`)), page.click(selector)]);
}

async function unfold(selector: string): Promise<void> {
  if (!(await page.$eval(selector, (d) => (d as unknown as { open: boolean }).open))) await page.click(`${selector} > summary`);
}

test('a cadre and a supervisor run the whole 督办 loop from the links in their mail', async () => {
  await stack.openPeriod(REVIEWED, lastQuarter());
  const dates = datesAfter((await showTask(stack.services, OPERATOR, TASK)).dueOn);

  // Last quarter's task is past its deadline: its latest follow-up (overdue, repeat or 督办) goes out at once.
  await openFromMail(await mailTo(CADRE.email, '【'), CADRE.id);
  await submit('#ack button', 'acknowledged');
  const photo = path.join(profile, '公开栏.jpg');
  writeFileSync(photo, jpegWithExif({ takenAt: '2026:11:30 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] }));
  await unfold('#progress');
  await page.fill('#progress textarea[name=note]', '公开栏已张贴,待补资产明细');
  await page.setInputFiles('#progress input[type=file]', photo);
  await submit('#progress button[type=submit]', 'progress');
  await unfold('#extension');
  await page.fill('#extension input[name=dueOn]', dates.workdays[1]);
  await page.fill('#extension textarea[name=reason]', '村委换届,资产台账待移交');
  await submit('#extension button[type=submit]', 'extensionRequested');

  await openFromMail(await mailTo(SUPERVISOR.email, '【延期申请】'), SUPERVISOR.id);
  expect(await page.innerText('#task-progress')).toContain('拍摄于 2026-11-30 10:15');
  await submit('#decision button[value=approve]', 'extensionApproved');
  expect(await page.innerText('#task-deadline')).toContain(dates.workdays[1]);

  const file = path.join(profile, '三资公开记录.pdf');
  writeFileSync(file, pdf());
  const complete = async (mail: ParsedMail) => {
    await openFromMail(mail, CADRE.id);
    await page.fill('#complete input[name="f.disclosedOn"]', dates.today);
    await page.setInputFiles('#complete input[type=file]', file);
    await submit('button:text("提交完成")', 'submitted');
  };
  await complete(await mailTo(CADRE.email, '【延期已批准】'));

  await openFromMail(await mailTo(SUPERVISOR.email, '【待审核】'), SUPERVISOR.id);
  await page.fill('#review textarea[name=reason]', '公开内容缺少资产部分');
  await submit('#review button[value=return]', 'returned');

  await complete(await mailTo(CADRE.email, '【已退回】'));
  await page.context().clearCookies();
  await openFromMail(sink.messages.filter((m) => to(m) === SUPERVISOR.email && m.subject?.startsWith('【待审核】')).at(-1) ?? (await mailTo(SUPERVISOR.email, '【待审核】')), SUPERVISOR.id);
  await submit('#review button[value=accept]', 'accepted');
  expect(await page.innerText('#task-status')).toContain('已完成');

  const final = await showTask(stack.services, OPERATOR, TASK);
  expect(final.status).toBe('done');
  expect(final.returned).toHaveLength(1);
  expect(final.extension).toMatchObject({ granted: 1, originalDueOn: expect.any(String) as string });

  // Every notice once: one mail per notice and person, each with the link and no command line.
  const mails = sink.messages.filter((m) => m.text?.includes(TASK) || m.text?.includes(encodeURIComponent(TASK)));
  const ids = mails.map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const m of mails) {
    linkIn(m);
    expect(`${m.text ?? ''}${m.html || ''}`).not.toContain('npm run');
  }
  const tags = (address: string) => mails.filter((m) => to(m) === address).map((m) => /^【[^】·]+/.exec(m.subject ?? '')?.[0]);
  expect(tags(CADRE.email)).toEqual(expect.arrayContaining(['【延期已批准', '【已退回']));
  expect(tags(CADRE.email).filter((t) => t === '【延期已批准')).toHaveLength(1);
  expect(tags(SUPERVISOR.email).filter((t) => t === '【待审核')).toHaveLength(2);
  expect(tags(SUPERVISOR.email).filter((t) => t === '【延期申请')).toHaveLength(1);
});
