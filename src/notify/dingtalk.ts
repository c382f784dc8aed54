import { createHmac } from 'node:crypto';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from './channel';
import { toMarkdown } from './markdown';
import { clipBytes, postToRobot } from './robotHttp';
import { envValue } from './robots';
import type { RobotChannelOptions } from './wecom';
import { processEnv, type Env } from '../config';

export const DINGTALK_WEBHOOK = 'https://oapi.dingtalk.com/robot/send';
/** 130101: more than 20 messages a minute; -1: system busy. */
const TRANSIENT = [130101, -1];
const MARKDOWN_MAX_BYTES = 15_000;

/**
 * DingTalk's signed-request scheme ("加签"): HMAC-SHA256 keyed by the secret over `${timestamp}\n${secret}`,
 * base64, then URL-encoded. The robot refuses a timestamp more than an hour off.
 */
export function dingTalkSignature(secret: string, timestamp: number): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

/**
 * DingTalk (钉钉) group robot. The unit's `webhookEnv` holds the full webhook URL or its access token; `secretEnv`,
 * when the robot uses signing, the SEC… secret. A mention needs both `at.atMobiles` and `@mobile` in the text.
 */
export class DingTalkChannel implements NotificationChannel {
  readonly name = 'dingtalk' as const;
  private readonly env: Env;

  constructor(
    private readonly opts: RobotChannelOptions & { now?: () => number } = {},
  ) {
    this.env = opts.env ?? processEnv();
  }

  reaches(to: OutgoingMessage['to']): boolean {
    return this.target(to) !== undefined;
  }

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    const target = this.target(message.to);
    if (!target) return { result: 'failed', detail: '未配置钉钉机器人' };
    const mobile = message.to.mobile;
    const markdown = toMarkdown(message.subject, message.text, { paragraphs: true, links: message.links });
    const text = clipBytes(mobile ? `${markdown}\n\n@${mobile}` : markdown, MARKDOWN_MAX_BYTES);
    const body = { msgtype: 'markdown', markdown: { title: message.subject, text }, at: { atMobiles: mobile ? [mobile] : [], isAtAll: false } };
    return postToRobot(this.signedUrl(target), body, { transientCodes: TRANSIENT, label: '钉钉', timeoutMs: this.opts.timeoutMs });
  }

  /** Signed at each attempt: a retry an hour later needs a fresh timestamp. */
  private signedUrl(target: { url: string; secret?: string }): string {
    if (!target.secret) return target.url;
    const timestamp = (this.opts.now ?? Date.now)();
    const joiner = target.url.includes('?') ? '&' : '?';
    return `${target.url}${joiner}timestamp=${timestamp}&sign=${dingTalkSignature(target.secret, timestamp)}`;
  }

  /** Undefined when the webhook, or a secret the roster says the robot signs with, is not in the environment. */
  private target(to: OutgoingMessage['to']): { url: string; secret?: string } | undefined {
    const ref = to.robots?.dingtalk;
    const value = envValue(this.env, ref?.webhookEnv);
    if (!ref || !value) return undefined;
    const secret = envValue(this.env, ref.secretEnv);
    if (ref.secretEnv && !secret) return undefined;
    const url = /^https?:\/\//.test(value) ? value : `${DINGTALK_WEBHOOK}?access_token=${encodeURIComponent(value)}`;
    return { url, secret };
  }
}
