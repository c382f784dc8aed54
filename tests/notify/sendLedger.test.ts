import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';
import { SendLedger } from '../../src/notify/sendLedger';
import { PgDatabase } from '../../src/store/pg/database';
import { freshDatabase } from '../support/postgres';

const dir = mkdtempSync(path.join(os.tmpdir(), 'send-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function message(n: number): OutgoingMessage {
  return { id: `task:d:2026-03:v-1/reminder-${n}#p-1`, notificationId: `task:d:2026-03:v-1/reminder-${n}`, personId: 'p-1', to: { name: 'x' }, subject: 's', text: 't' };
}

/** Counts sends and how many overlapped; can fail on demand, or accept and never answer (a worker dying mid-send). */
class CountingChannel implements NotificationChannel {
  readonly name = 'email' as const;
  sends = 0;
  active = 0;
  maxActive = 0;
  failNext = false;
  hang = false;
  async send(_m: OutgoingMessage): Promise<ChannelResult> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, 2));
    this.active -= 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('421 try later');
    }
    this.sends += 1;
    if (this.hang) await new Promise(() => undefined);
    return { result: 'sent', detail: `#${this.sends}` };
  }
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

/** Where a suite's ledger lives; `open` is what a (new) worker process does at start. */
interface Backend {
  /** The database's address (PostgreSQL only), for worker processes. */
  url(): string;
  /** A ledger holding nothing yet. */
  fresh(): Promise<void>;
  open(): Promise<SendLedger>;
  teardown(): Promise<void>;
}

function fileBackend(): Backend {
  let seq = 0;
  let file = '';
  return {
    fresh: async () => {
      file = path.join(dir, `ledger-${++seq}.jsonl`);
    },
    url: () => '',
    open: async () => SendLedger.at(file),
    teardown: async () => undefined,
  };
}

/** Each `open` is another worker: a pool of its own on the shared database. */
function pgBackend(): Backend {
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  const pools: PgDatabase[] = [];
  return {
    fresh: async () => {
      database ??= await freshDatabase();
      const db = await PgDatabase.open(database.url, { poolSize: 2 });
      pools.push(db);
      await db.query('TRUNCATE send_ledger');
    },
    url: () => database!.url,
    open: async () => {
      const db = await PgDatabase.open(database!.url, { poolSize: 2 });
      pools.push(db);
      return SendLedger.of({ kind: 'postgres', db, dataDir: dir });
    },
    teardown: async () => {
      await Promise.all(pools.map((p) => p.close()));
      await database?.drop();
    },
  };
}

describe.each([
  ['file', fileBackend],
  ['PostgreSQL', pgBackend],
])('send ledger in %s', (_name, make) => {
  const backend = make();
  beforeEach(() => backend.fresh());
  afterAll(() => backend.teardown());

  test('a message accepted once is not sent again, in this process or the next', async () => {
    const channel = new CountingChannel();
    const ledger = await backend.open();
    const guarded = ledger.guard(channel);
    expect(guarded.name).toBe('email');
    await guarded.send(message(1));
    expect(await guarded.send(message(1))).toEqual({ result: 'sent', detail: '#1' });
    ledger.close();

    const restarted = await backend.open();
    expect(await restarted.stats()).toEqual({ sent: 1, pending: 0 });
    expect(await restarted.guard(channel).send(message(1))).toEqual({ result: 'sent', detail: '#1' });
    expect(channel.sends).toBe(1);
    restarted.close();
  });

  test('a send that was in doubt when the process died is repeated exactly once', async () => {
    const dying = new CountingChannel();
    dying.hang = true;
    const ledger = await backend.open();
    void ledger.guard(dying).send(message(2));
    await until(() => dying.sends === 1);
    ledger.close();

    const restarted = await backend.open();
    expect(await restarted.stats()).toEqual({ sent: 0, pending: 1 });
    const channel = new CountingChannel();
    const guarded = restarted.guard(channel);
    await guarded.send(message(2));
    await guarded.send(message(2));
    expect(channel.sends).toBe(1);
    expect(await restarted.stats()).toEqual({ sent: 1, pending: 0 });
    restarted.close();
  });

  test('a failed send is not recorded, so the retry delivers', async () => {
    const channel = new CountingChannel();
    const ledger = await backend.open();
    const guarded = ledger.guard(channel);
    channel.failNext = true;
    await expect(guarded.send(message(3))).rejects.toThrow('421');
    expect(await ledger.stats()).toEqual({ sent: 0, pending: 0 });
    await guarded.send(message(3));
    expect(channel.sends).toBe(1);
    ledger.close();
    const restarted = await backend.open();
    expect(await restarted.stats()).toEqual({ sent: 1, pending: 0 });
    restarted.close();
  });

  test('a permanent refusal is not recorded as sent, so a retry asks the channel again', async () => {
    let asked = 0;
    const refusing: NotificationChannel = { name: 'email', send: async () => ({ result: 'failed', detail: `550 #${++asked}` }) };
    const ledger = await backend.open();
    const guarded = ledger.guard(refusing);
    await guarded.send(message(4));
    expect(await guarded.send(message(4))).toEqual({ result: 'failed', detail: '550 #2' });
    ledger.close();
  });

  test('one channel has at most one message in doubt at a time', async () => {
    const channel = new CountingChannel();
    const ledger = await backend.open();
    const guarded = ledger.guard(channel);
    await Promise.all(Array.from({ length: 20 }, (_, i) => guarded.send(message(100 + i))));
    expect(channel.sends).toBe(20);
    expect(channel.maxActive).toBe(1);
    ledger.close();
  });
});

test('the file ledger keeps its line format and skips a line torn by a crash mid-write', async () => {
  const file = path.join(dir, 'torn.jsonl');
  appendFileSync(file, `${JSON.stringify({ k: `email||${message(5).id}`, s: 'pending' })}\n{"k":"torn`);
  const ledger = SendLedger.at(file);
  expect(await ledger.stats()).toEqual({ sent: 0, pending: 1 });
  await ledger.guard(new CountingChannel()).send(message(5));
  ledger.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines.at(-2)).toContain(`{"k":"email||${message(5).id}","s":"pending"}`);
  expect(lines.at(-1)).toBe(`{"k":"email||${message(5).id}","s":"sent","r":{"result":"sent","detail":"#1"}}`);
});

describe('send ledger shared by workers on PostgreSQL', () => {
  const backend = pgBackend();
  beforeEach(() => backend.fresh());
  afterAll(() => backend.teardown());

  test('worker A dies mid-send: the retry on worker B repeats it once, and worker C not at all', async () => {
    const [a, b, c] = [await backend.open(), await backend.open(), await backend.open()];
    const onA = new CountingChannel();
    onA.hang = true;
    void a.guard(onA).send(message(6));
    await until(() => onA.sends === 1);

    const onB = new CountingChannel();
    expect(await b.guard(onB).send(message(6))).toEqual({ result: 'sent', detail: '#1' });
    await b.guard(onB).send(message(6));
    const onC = new CountingChannel();
    expect(await c.guard(onC).send(message(6))).toEqual({ result: 'sent', detail: '#1' });
    // Two deliveries in all: the one in doubt on A and B's repeat, the most one killed worker may cost.
    expect(onA.sends + onB.sends + onC.sends).toBe(2);
  });

  test('a send worker A recorded is not repeated by worker B: B gets A\'s result without calling its channel', async () => {
    const [a, b] = [await backend.open(), await backend.open()];
    const onA = new CountingChannel();
    await a.guard(onA).send(message(7));
    const onB = new CountingChannel();
    expect(await b.guard(onB).send(message(7))).toEqual({ result: 'sent', detail: '#1' });
    expect(onB.sends).toBe(0);
  });

  test('a worker that was slow, not dead, failing late does not undo the retry\'s `sent`', async () => {
    const [a, b, c] = [await backend.open(), await backend.open(), await backend.open()];
    let fail!: (err: Error) => void;
    const slow: NotificationChannel = { name: 'email', send: () => new Promise((_, reject) => (fail = reject)) };
    const late = a.guard(slow).send(message(8));
    await until(() => fail !== undefined);
    await b.guard(new CountingChannel()).send(message(8));
    fail(new Error('connection reset'));
    await expect(late).rejects.toThrow('connection reset');
    const onC = new CountingChannel();
    expect(await c.guard(onC).send(message(8))).toEqual({ result: 'sent', detail: '#1' });
    expect(onC.sends).toBe(0);
  });

  test('a worker process killed mid-send: the retry repeats it once; a send another process finished is not repeated', async () => {
    const killed = await runWorkerProcess(backend.url(), message(9).id, 'hang');
    expect(killed).toBe('SIGKILL');
    const retry = await backend.open();
    const channel = new CountingChannel();
    await retry.guard(channel).send(message(9));
    expect(channel.sends).toBe(1);

    expect(await runWorkerProcess(backend.url(), message(10).id, 'finish')).toBe(0);
    expect(await retry.guard(channel).send(message(10))).toMatchObject({ result: 'sent', detail: expect.stringMatching(/^pid \d+$/) });
    expect(channel.sends).toBe(1);
  });
});

/** Runs tests/notify/ledgerWorker.ts; in `hang` mode kills it with SIGKILL once its channel has accepted the message. */
function runWorkerProcess(url: string, id: string, mode: 'finish' | 'hang'): Promise<number | NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'ledgerWorker.ts'), url, id, mode], { cwd: path.join(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk: Buffer) => {
    if (mode === 'hang' && chunk.toString().includes('accepted')) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
}
