import type { ChannelResult, Mention, OutgoingMessage } from './channel';
import { RateLimitedError } from './pacing';

export interface RobotPostOptions {
  /** Error codes the robot returns for "busy": retried, unlike a bad key or signature. */
  transientCodes: readonly number[];
  /** "Slow down" codes, each with how long the robot then refuses: retried, and the pacing holds that robot off. */
  rateLimitCodes: Readonly<Record<number, number>>;
  timeoutMs?: number;
  /** Names the robot in messages: 企业微信 / 钉钉. */
  label: string;
}

/**
 * Posts one JSON message to a robot webhook. Network errors, 5xx, 429 and rate-limit codes throw, so the
 * activity's retry policy applies; a permanent refusal comes back as `failed` with the robot's error code.
 * The URL holds the webhook key (and the signature), so it never appears in an error or a log line.
 */
export async function postToRobot(url: string, body: unknown, opts: RobotPostOptions): Promise<ChannelResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    // The cause says why (refused, timed out) but may quote the URL, which holds the key: keep the reason, drop the URL.
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    // eslint-disable-next-line preserve-caught-error -- attaching the cause would carry the webhook key into history
    throw new Error(`${opts.label}机器人连接失败: ${why.replace(/https?:\/\/\S+/g, '〈webhook〉')}`);
  }
  if (response.status >= 500 || response.status === 429) {
    throw new Error(`${opts.label}机器人暂时不可用 (HTTP ${response.status})`);
  }
  if (!response.ok) return { result: 'failed', detail: `${opts.label}机器人拒绝 (HTTP ${response.status})` };
  const reply = (await response.json().catch(() => ({}))) as { errcode?: unknown };
  const code = typeof reply.errcode === 'number' ? reply.errcode : undefined;
  if (code === 0) return { result: 'sent' };
  const holdOffMs = code === undefined ? undefined : opts.rateLimitCodes[code];
  if (holdOffMs !== undefined) throw new RateLimitedError(`${opts.label}机器人限流或繁忙 (errcode ${code})`, holdOffMs);
  if (code !== undefined && opts.transientCodes.includes(code)) {
    throw new Error(`${opts.label}机器人限流或繁忙 (errcode ${code})`);
  }
  // errmsg is left out: some robots echo request details into it.
  return { result: 'failed', detail: `${opts.label}机器人拒绝 (errcode ${code ?? '缺失'})` };
}

/** Cuts text to a byte budget on a character boundary; robots reject longer messages outright. */
export function clipBytes(text: string, maxBytes: number, marker = '\n……(内容过长,已截断)'): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const budget = maxBytes - encoder.encode(marker).length;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  return out + marker;
}

/** A piece of robot text and what joins it to the piece before it in the same part. */
export interface TextUnit {
  text: string;
  joiner: string;
}

/**
 * Packs units into as few parts as fit `maxBytes` each, in order, breaking only between units (lines, mentions), so a
 * link, which is a line of its own, is never cut. Parts after the first open with `continued`. A single unit too
 * long for any part is clipped.
 */
export function packParts(units: readonly TextUnit[], maxBytes: number, continued: string): string[] {
  const parts: string[] = [];
  let current: string | undefined;
  for (const unit of units) {
    const joined = current === undefined ? undefined : current + unit.joiner + unit.text;
    if (joined !== undefined && Buffer.byteLength(joined) <= maxBytes) {
      current = joined;
      continue;
    }
    if (current !== undefined) parts.push(current);
    const head = parts.length > 0 ? continued : '';
    current = head + clipBytes(unit.text, maxBytes - Buffer.byteLength(head));
  }
  if (current !== undefined) parts.push(current);
  return parts;
}

/** Lines of text as units. */
export function lineUnits(text: string): TextUnit[] {
  return text.split('\n').map((line) => ({ text: line, joiner: '\n' }));
}

/** Whom a message @-mentions: its `mentions`, or for a message to one person, that person by mobile. */
export function mentionsOf(message: OutgoingMessage): Mention[] {
  return message.mentions ?? (message.to.mobile ? [{ name: message.to.name, mobile: message.to.mobile }] : []);
}

/**
 * The parts of each message a robot has accepted, so a retry posts only the rest. Only half-sent messages are held:
 * once a message is through, the send ledger answers for it.
 */
export class AcceptedParts {
  private readonly accepted = new Map<string, Set<number>>();

  /** Indexes of the parts still to post, in order. */
  remaining(messageId: string, parts: number): number[] {
    const done = this.accepted.get(messageId);
    return Array.from({ length: parts }, (_, i) => i).filter((i) => !done?.has(i));
  }

  accept(messageId: string, part: number): void {
    const done = this.accepted.get(messageId) ?? new Set<number>();
    this.accepted.set(messageId, done.add(part));
  }

  forget(messageId: string): void {
    this.accepted.delete(messageId);
  }
}
