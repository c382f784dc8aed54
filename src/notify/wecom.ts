import type { ChannelResult, Mention, NotificationChannel, OutgoingMessage, RateCost } from './channel';
import { isWarning, toMarkdown } from './markdown';
import { AcceptedParts, clipBytes, lineUnits, mentionsOf, packParts, postToRobot } from './robotHttp';
import { envValue } from './robots';
import { processEnv, type Env } from '../config';

export const WECOM_WEBHOOK = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';
/**
 * WeCom's group robot document (developer.work.weixin.qq.com/document/path/91770): markdown content at most 4,096
 * bytes, text content at most 2,048, 20 messages a minute per robot (beyond: errcode 45009), and `<@userid>` in
 * text or markdown content mentions a member; only text messages mention by mobile (`mentioned_mobile_list`).
 */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_TEXT_MAX_BYTES = 2048;
/** -1: system busy. */
const TRANSIENT = [-1];
/** 45009 counts a rolling minute: one whole minute later it has room again, whatever else used the robot. */
const RATE_LIMITS = { 45009: 60_000 };
/** WeCom user ids are 1–64 of letters, digits and `_-@.`; anything else would not mention anyone, or break the markup. */
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const CONTINUED = '(接上条)\n';

export interface RobotChannelOptions {
  /** Where the roster's variable names are looked up; tests pass their own. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

type WeComPost = { msgtype: 'markdown'; markdown: { content: string } } | { msgtype: 'text'; text: { content: string; mentioned_mobile_list: string[] } };

/**
 * WeCom (企业微信) group robot. The unit's variable holds the full webhook URL or just its key.
 * A message is markdown, split only where it would pass 4,096 bytes, mentioning people with a user id (`chatId`) by
 * `<@id>`; those known only by mobile are mentioned in a following text message (one, unless 2,048 bytes force more).
 */
export class WeComChannel implements NotificationChannel {
  readonly name = 'wecom' as const;
  private readonly env: Env;
  private readonly parts = new AcceptedParts();

  constructor(private readonly opts: RobotChannelOptions = {}) {
    this.env = opts.env ?? processEnv();
  }

  reaches(to: OutgoingMessage['to']): boolean {
    return this.webhook(to) !== undefined;
  }

  /** Paced per webhook (see RateGate); one request per part still to post. */
  rateCost(message: OutgoingMessage): RateCost | undefined {
    const url = this.webhook(message.to);
    return url ? { key: url, requests: this.parts.remaining(message.id, weComPosts(message).length).length } : undefined;
  }

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    const url = this.webhook(message.to);
    if (!url) return { result: 'failed', detail: '未配置企业微信机器人' };
    const posts = weComPosts(message);
    for (const i of this.parts.remaining(message.id, posts.length)) {
      const post = posts[i] as WeComPost;
      const outcome = await postToRobot(url, post, { transientCodes: TRANSIENT, rateLimitCodes: RATE_LIMITS, label: '企业微信', timeoutMs: this.opts.timeoutMs });
      if (outcome.result !== 'sent') {
        // The notice itself refused: the caller falls back. Only the @-mention refused: the notice is out.
        if (post.msgtype === 'markdown') return outcome;
        this.parts.forget(message.id);
        return { result: 'sent', detail: `通知已发出,@提醒失败: ${outcome.detail ?? ''}` };
      }
      this.parts.accept(message.id, i);
    }
    this.parts.forget(message.id);
    return { result: 'sent' };
  }

  private webhook(to: OutgoingMessage['to']): string | undefined {
    const value = envValue(this.env, to.robots?.wecom?.webhookEnv);
    if (!value) return undefined;
    return /^https?:\/\//.test(value) ? value : `${WECOM_WEBHOOK}?key=${encodeURIComponent(value)}`;
  }
}

/** The requests one message takes, in order: its markdown parts, then the text mentions by mobile. */
export function weComPosts(message: OutgoingMessage): WeComPost[] {
  const mentions = mentionsOf(message);
  const byId = mentions.filter((m) => m.chatId !== undefined && USER_ID.test(m.chatId));
  const byMobile = mentions.filter((m) => !byId.includes(m) && m.mobile !== undefined);
  const markdown = toMarkdown(message.subject, message.text, { paragraphs: false, links: message.links, emphasis: (h) => (isWarning(h) ? `<font color="warning">${h}</font>` : h) });
  const units = [...lineUnits(markdown), ...byId.map((m, i) => ({ text: `<@${m.chatId ?? ''}>`, joiner: i === 0 ? '\n' : ' ' }))];
  const posts: WeComPost[] = packParts(units, WECOM_MARKDOWN_MAX_BYTES, CONTINUED).map((content) => ({ msgtype: 'markdown', markdown: { content } }));
  const content = clipBytes(`请查看上一条消息:${message.subject}`, WECOM_TEXT_MAX_BYTES / 2);
  for (const mobiles of mobileBatches(byMobile, WECOM_TEXT_MAX_BYTES - Buffer.byteLength(content))) {
    posts.push({ msgtype: 'text', text: { content, mentioned_mobile_list: mobiles } });
  }
  return posts;
}

/**
 * Mobiles in as few messages as the text limit allows. WeCom shows each mention as "@name" in the text, and its
 * document does not say whether those count against the 2,048 bytes, so they are counted.
 */
function mobileBatches(people: readonly Mention[], budget: number): string[][] {
  const batches: string[][] = [];
  let used = Infinity;
  for (const person of people) {
    const size = Buffer.byteLength(`@${person.name} `);
    if (used + size > budget) {
      batches.push([]);
      used = 0;
    }
    batches.at(-1)?.push(person.mobile ?? '');
    used += size;
  }
  return batches;
}
