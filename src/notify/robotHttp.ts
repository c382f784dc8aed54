import type { ChannelResult } from './channel';

export interface RobotPostOptions {
  /** Error codes the robot returns for "slow down" or "busy": retried, unlike a bad key or signature. */
  transientCodes: readonly number[];
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
