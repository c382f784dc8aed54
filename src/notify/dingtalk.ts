import { createHmac } from 'node:crypto';
import type { ChannelResult, NotificationChannel, OutgoingMessage, RateCost } from './channel';
import { toMarkdown } from './markdown';
import { AcceptedParts, lineUnits, mentionsOf, packParts, postToRobot } from './robotHttp';
import { envValue } from './robots';
import type { RobotChannelOptions } from './wecom';
import { processEnv, type Env } from '../config';

export const DINGTALK_WEBHOOK = 'https://oapi.dingtalk.com/robot/send';
/** -1: system busy. */
const TRANSIENT = [-1];
/**
 * DingTalk's custom robot document: "每个机器人每分钟最多发送20条消息到群里,如果超过20条,会限流10分钟". 130101 is
 * that answer ("send too fast, exceed 20 times per minute"); 90030 ("webhook over limit") is the webhook's call quota.
 * Either way the robot is left alone for the ten minutes.
 */
const RATE_LIMITS = { 130101: 600_000, 90030: 600_000 };
/**
 * The webhook document gives no size for markdown; DingTalk documents 15,000 bytes for a robot group message's
 * content (open.dingtalk.com, robot "发送群聊消息", msgParam), and the webhook refuses bodies past 20,000 bytes
 * (errcode 460101 "message too long, exceed 20000 bytes"). 15,000 for the text leaves the rest for title and mentions.
 */
export const DINGTALK_MARKDOWN_MAX_BYTES = 15_000;
const CONTINUED = '(接上条)\n\n';

type DingTalkPost = { msgtype: 'markdown'; markdown: { title: string; text: string }; at: { atMobiles: string[]; isAtAll: false } };

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
 * when the robot uses signing, the SEC… secret. A mention needs both `at.atMobiles` and `@mobile` in the text, so
 * one markdown message carries every mention; it is split only past the size limit.
 */
export class DingTalkChannel implements NotificationChannel {
  readonly name = 'dingtalk' as const;
  private readonly env: Env;
  private readonly parts = new AcceptedParts();

  constructor(
    private readonly opts: RobotChannelOptions & { now?: () => number } = {},
  ) {
    this.env = opts.env ?? processEnv();
  }

  reaches(to: OutgoingMessage['to']): boolean {
    return this.target(to) !== undefined;
  }

  /** Paced per webhook (see RateGate); one request per part still to post. */
  rateCost(message: OutgoingMessage): RateCost | undefined {
    const target = this.target(message.to);
    return target ? { key: target.url, requests: this.parts.remaining(message.id, dingTalkPosts(message).length).length } : undefined;
  }

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    const target = this.target(message.to);
    if (!target) return { result: 'failed', detail: '未配置钉钉机器人' };
    const posts = dingTalkPosts(message);
    for (const i of this.parts.remaining(message.id, posts.length)) {
      const outcome = await postToRobot(this.signedUrl(target), posts[i], { transientCodes: TRANSIENT, rateLimitCodes: RATE_LIMITS, label: '钉钉', timeoutMs: this.opts.timeoutMs });
      if (outcome.result !== 'sent') return outcome;
      this.parts.accept(message.id, i);
    }
    this.parts.forget(message.id);
    return { result: 'sent' };
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

/** The message as markdown parts, the `@mobile` mentions closing the last; each part's `at` lists the mentions it shows. */
export function dingTalkPosts(message: OutgoingMessage): DingTalkPost[] {
  const mobiles = mentionsOf(message).flatMap((m) => (m.mobile ? [m.mobile] : []));
  const markdown = toMarkdown(message.subject, message.text, { paragraphs: true, links: message.links });
  const units = [...lineUnits(markdown), ...mobiles.map((m, i) => ({ text: `@${m}`, joiner: i === 0 ? '\n\n' : ' ' }))];
  return packParts(units, DINGTALK_MARKDOWN_MAX_BYTES, CONTINUED).map((text, i) => ({
    msgtype: 'markdown',
    markdown: { title: i === 0 ? message.subject : `${message.subject}(续)`, text },
    at: { atMobiles: mobiles.filter((m) => text.includes(`@${m}`)), isAtAll: false },
  }));
}
