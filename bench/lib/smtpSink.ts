import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Arrival {
  messageId: string;
  notificationId: string;
  at: number;
}

export interface RateLimitedSink {
  port: number;
  arrivals: Arrival[];
  /** Distinct Message-IDs received. */
  unique(): Set<string>;
  /** Message-IDs received more than once, with how often. */
  duplicates(): Map<string, number>;
  /** Closes the port and drops every open connection: senders see "connection refused" until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback that accepts at most `perSecond` messages a second, the way a relay's rate limit
 * does: the next MAIL FROM is answered only when its slot comes. Only the Message-ID and the engine's notification
 * header are kept (no parsing of bodies, which would make the sink the bottleneck).
 */
export async function startRateLimitedSink(perSecond: number, port = 0): Promise<RateLimitedSink> {
  const arrivals: Arrival[] = [];
  const gapMs = perSecond > 0 ? 1000 / perSecond : 0;
  let nextSlot = 0;
  let server: SMTPServer | undefined;
  const sockets = new Set<Socket>();

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 1024 * 1024,
      // A reverse DNS lookup per connection would cost ~100 ms here and measure the resolver, not the engine.
      disableReverseLookup: true,
      onMailFrom(_address, _session, callback) {
        const now = Date.now();
        nextSlot = Math.max(now, nextSlot + gapMs);
        setTimeout(() => callback(), nextSlot - now);
      },
      onData(stream, _session, callback) {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 16_384) head += chunk.toString('utf8');
        });
        stream.on('end', () => {
          const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
          const notificationId = /^x-duty-notification:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
          arrivals.push({ messageId, notificationId, at: Date.now() });
          callback();
        });
      },
    });

  const listen = async (wanted: number): Promise<number> => {
    server = create();
    // A sender killed mid-message resets its connection; that is the fault under test, not a sink failure.
    server.on('error', () => undefined);
    server.server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server?.server.once('error', reject);
      server?.listen(wanted, '127.0.0.1', resolve);
    });
    const address = server.server.address();
    return typeof address === 'object' && address ? address.port : wanted;
  };
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.server.close(() => resolve()));
    sockets.forEach((sock) => sock.destroy());
    await closed;
  };

  const bound = await listen(port);
  return {
    port: bound,
    arrivals,
    unique: () => new Set(arrivals.map((a) => a.messageId)),
    duplicates() {
      const counts = new Map<string, number>();
      for (const a of arrivals) counts.set(a.messageId, (counts.get(a.messageId) ?? 0) + 1);
      return new Map([...counts].filter(([, n]) => n > 1));
    },
    down,
    async up() {
      if (!server) await listen(bound);
    },
    close: down,
  };
}
