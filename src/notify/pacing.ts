import type { ChannelName } from '../shared/types';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from './channel';

export interface Rate {
  count: number;
  perMs: number;
}

/**
 * The longest a send waits for its slot. Sends run in activities with a 1-minute startToClose, and a post needs up to
 * 10 s of that; holding the activity past it would time the attempt out mid-post, outcome unknown. Beyond this the
 * send throws a transient error instead and Temporal's activity retry (10 s, doubling) comes back once the window has
 * moved, without keeping a worker slot busy meanwhile.
 */
export const MAX_WAIT_MS = 45_000;

/** A destination's "slow down" answer: it is held off for `holdOffMs`; the error stays transient, so it is retried. */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly holdOffMs: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

export interface GateOptions {
  /** Names the destination in errors: 企业微信机器人, 钉钉机器人, 邮件服务器. */
  label: string;
  maxWaitMs?: number;
  /** A monotonic clock in ms; tests with fake timers pass theirs. */
  now?: () => number;
}

interface Waiter {
  n: number;
  deadline: number;
  grant(): void;
  refuse(err: Error): void;
}

/** One key's window: when its recent requests ended (ascending), those under way, and any hold-off. */
class Lane {
  ends: number[] = [];
  inFlight = 0;
  holdUntil = 0;
  readonly queue: Waiter[] = [];
  timer?: NodeJS.Timeout;
}

/**
 * A sliding window per key (a robot's webhook, the SMTP relay): at most `rate.count` requests in any `rate.perMs`,
 * counted from when each request *ended*. A request reaches the server between its start and its end, so starting
 * the next one a full window after an earlier one ended keeps the server's own count under the limit whatever the
 * network did. A send waits for its slot, in arrival order; one key's wait or hold-off never delays another key.
 * Keys are held in memory only and appear in no error or log line.
 */
export class RateGate {
  private static readonly shared = new Map<string, RateGate>();
  private readonly lanes = new Map<string, Lane>();
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  /** One gate per destination kind and rate in this process, so every worker in it shares the robots' quotas. */
  static for(kind: string, rate: Rate, opts: GateOptions): RateGate {
    const id = `${kind}|${rate.count}|${rate.perMs}`;
    let gate = RateGate.shared.get(id);
    if (!gate) RateGate.shared.set(id, (gate = new RateGate(rate, opts)));
    return gate;
  }

  constructor(
    readonly rate: Rate,
    private readonly opts: GateOptions,
  ) {
    this.maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
    this.now = opts.now ?? (() => performance.now());
  }

  /**
   * Runs `send` once `requests` more fit under the rate for `key` (capped at the rate: a longer send overflows and
   * its robot's refusal is retried). Throws a transient error at once when the wait would pass `maxWaitMs`.
   */
  async run<T>(key: string, requests: number, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(key);
    const n = Math.min(Math.max(1, requests), this.rate.count);
    await this.admit(lane, n);
    try {
      return await send();
    } catch (err) {
      if (err instanceof RateLimitedError) this.holdOff(lane, this.now() + err.holdOffMs);
      throw err;
    } finally {
      lane.inFlight -= n;
      const end = this.now();
      for (let i = 0; i < n; i += 1) lane.ends.push(end);
      this.pump(lane);
    }
  }

  /** Wraps a channel so each send waits for its slot first; everything else about the channel is untouched. */
  guard<C extends NotificationChannel>(channel: C): C {
    const send = (message: OutgoingMessage): Promise<ChannelResult> => {
      const cost = channel.rateCost ? channel.rateCost(message) : { key: channel.name, requests: 1 };
      if (!cost || cost.requests === 0) return channel.send(message);
      return this.run(cost.key, cost.requests, () => channel.send(message));
    };
    return new Proxy(channel, {
      get(target, prop) {
        if (prop === 'send') return send;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = new Lane()));
    return lane;
  }

  private admit(lane: Lane, n: number): Promise<void> {
    const now = this.now();
    this.prune(lane, now);
    // Optimistic: requests under way are taken to end now; a waiter whose slot comes later is refused at its deadline.
    const ends = [...lane.ends, ...Array<number>(lane.inFlight).fill(now)];
    const starts = slotStarts(ends, [...lane.queue.map((w) => w.n), n], this.rate, Math.max(now, lane.holdUntil));
    const wait = (starts.at(-1) ?? now) - now;
    if (wait > this.maxWaitMs) return Promise.reject(this.tooLong(lane, wait));
    return new Promise<void>((grant, refuse) => {
      lane.queue.push({ n, deadline: now + this.maxWaitMs, grant, refuse });
      this.pump(lane);
    });
  }

  private holdOff(lane: Lane, until: number): void {
    lane.holdUntil = Math.max(lane.holdUntil, until);
    this.pump(lane);
  }

  /** Lets in whoever's slot has come, refuses whoever would wait past their deadline, and sets the next wake-up. */
  private pump(lane: Lane): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const now = this.now();
    this.prune(lane, now);
    for (let head = lane.queue[0]; head; head = lane.queue[0]) {
      const start = this.startFor(lane, head.n, now);
      if (start > now) break;
      lane.queue.shift();
      lane.inFlight += head.n;
      head.grant();
    }
    // Infinity: the window is full of requests under way, and only their ends tell when there is room.
    const headStart = lane.queue[0] ? this.startFor(lane, lane.queue[0].n, now) : Infinity;
    const known = Number.isFinite(headStart) ? headStart : now;
    const refused = lane.queue.filter((w) => lane.holdUntil > w.deadline || (w === lane.queue[0] && known > w.deadline) || w.deadline <= now);
    for (const w of refused) {
      lane.queue.splice(lane.queue.indexOf(w), 1);
      w.refuse(this.tooLong(lane, w.deadline > now ? Math.max(known, lane.holdUntil) - now : undefined));
    }
    // A new head may go sooner than the one refused.
    if (refused.length > 0) return this.pump(lane);
    if (lane.queue.length === 0) return;
    const next = Math.min(headStart, ...lane.queue.map((w) => w.deadline));
    if (Number.isFinite(next)) lane.timer = setTimeout(() => this.pump(lane), Math.max(0, next - now));
  }

  /** The earliest start for `n` more requests; Infinity while only the end of requests under way would make room. */
  private startFor(lane: Lane, n: number, now: number): number {
    const excess = lane.ends.length + lane.inFlight + n - this.rate.count;
    const windowFree = excess <= 0 ? now : excess <= lane.ends.length ? (lane.ends[excess - 1] ?? 0) + this.rate.perMs : Infinity;
    return Math.max(now, lane.holdUntil, windowFree);
  }

  private prune(lane: Lane, now: number): void {
    const keep = lane.ends.findIndex((end) => end > now - this.rate.perMs);
    lane.ends.splice(0, keep === -1 ? lane.ends.length : keep);
  }

  /** Why a send was refused its slot: the wait it faced, or none left when it has waited all it may. */
  private tooLong(lane: Lane, waitMs: number | undefined): Error {
    const why = lane.holdUntil > this.now() ? '被限流,暂停发送' : `每 ${this.rate.perMs / 1000} 秒最多发 ${this.rate.count} 条`;
    const wait = waitMs === undefined ? '已等待' : `需等待约 ${Math.ceil(waitMs / 1000)} 秒,超过`;
    return new Error(`${this.opts.label}${why},${wait} ${this.maxWaitMs / 1000} 秒上限,稍后重试`);
  }
}

/**
 * When each of `demands` (requests per send, in order) may start, given the end times already in the window
 * (ascending) and the earliest start `from`. Pure: the gate's estimate, and a schedule to check without waiting.
 */
export function slotStarts(ends: readonly number[], demands: readonly number[], rate: Rate, from: number): number[] {
  const window = [...ends];
  const starts: number[] = [];
  let last = from;
  for (const n of demands) {
    const excess = window.length + n - rate.count;
    const start = Math.max(last, excess > 0 ? (window[excess - 1] ?? 0) + rate.perMs : last);
    starts.push(start);
    for (let i = 0; i < n; i += 1) window.push(start);
    last = start;
  }
  return starts;
}

/** Requests a minute: per robot webhook, and to the SMTP relay (0: no limit); src/config.ts has the defaults. */
export interface PacingLimits {
  robotPerMinute: number;
  smtpPerMinute: number;
}

const LABELS: Partial<Record<ChannelName, string>> = { wecom: '企业微信机器人', dingtalk: '钉钉机器人', email: '邮件服务器' };

/**
 * Paces each channel that has a limit: robots per webhook, mail per relay. Goes outside the send ledger's guard:
 * the ledger lets one send per channel through at a time, so a send waiting for one robot's slot inside it would
 * hold up every other robot of that kind.
 */
export function paceChannels<T extends Partial<Record<ChannelName, NotificationChannel>>>(channels: T, limits: PacingLimits): T {
  const perMinute = (name: ChannelName) => (name === 'email' ? limits.smtpPerMinute : name === 'wecom' || name === 'dingtalk' ? limits.robotPerMinute : 0);
  const paced = Object.entries(channels).map(([name, channel]) => {
    const count = perMinute(name as ChannelName);
    const label = LABELS[name as ChannelName];
    return [name, channel && count > 0 && label ? RateGate.for(name, { count, perMs: 60_000 }, { label }).guard(channel) : channel];
  });
  return Object.fromEntries(paced) as T;
}
