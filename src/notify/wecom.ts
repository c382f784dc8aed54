import type { ChannelResult, NotificationChannel, OutgoingMessage } from './channel';
import { isWarning, toMarkdown } from './markdown';
import { clipBytes, postToRobot } from './robotHttp';
import { envValue } from './robots';
import { processEnv, type Env } from '../config';

export const WECOM_WEBHOOK = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';
/** 45009: more than 20 messages a minute; -1: system busy. */
const TRANSIENT = [45009, -1];
const MARKDOWN_MAX_BYTES = 4096;

export interface RobotChannelOptions {
  /** Where the roster's variable names are looked up; tests pass their own. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * WeCom (企业微信) group robot. The unit's variable holds the full webhook URL or just its key.
 * WeCom markdown cannot @-mention by mobile (only text messages carry `mentioned_mobile_list`), so a person with
 * a mobile gets the markdown notice followed by a one-line text that mentions them.
 */
export class WeComChannel implements NotificationChannel {
  readonly name = 'wecom' as const;
  private readonly env: Env;
  /** Parts already accepted per message id, so a retry after a failed mention does not repost the notice. */
  private readonly delivered = new Map<string, Set<'notice' | 'mention'>>();

  constructor(private readonly opts: RobotChannelOptions = {}) {
    this.env = opts.env ?? processEnv();
  }

  reaches(to: OutgoingMessage['to']): boolean {
    return this.webhook(to) !== undefined;
  }

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    const url = this.webhook(message.to);
    if (!url) return { result: 'failed', detail: '未配置企业微信机器人' };
    const done = this.delivered.get(message.id) ?? new Set();
    this.delivered.set(message.id, done);
    const post = (body: unknown) => postToRobot(url, body, { transientCodes: TRANSIENT, label: '企业微信', timeoutMs: this.opts.timeoutMs });
    if (!done.has('notice')) {
      const content = clipBytes(
        toMarkdown(message.subject, message.text, { paragraphs: false, links: message.links, emphasis: (h) => (isWarning(h) ? `<font color="warning">${h}</font>` : h) }),
        MARKDOWN_MAX_BYTES,
      );
      const outcome = await post({ msgtype: 'markdown', markdown: { content } });
      if (outcome.result !== 'sent') return outcome;
      done.add('notice');
    }
    const mobile = message.to.mobile;
    if (mobile && !done.has('mention')) {
      const outcome = await post({ msgtype: 'text', text: { content: `请查看上一条消息:${message.subject}`, mentioned_mobile_list: [mobile] } });
      if (outcome.result !== 'sent') {
        this.delivered.delete(message.id);
        return { result: 'sent', detail: `通知已发出,@提醒失败: ${outcome.detail ?? ''}` };
      }
    }
    // Fully delivered: the notifier's ledger takes over, so the map only ever holds half-sent messages.
    this.delivered.delete(message.id);
    return { result: 'sent' };
  }

  private webhook(to: OutgoingMessage['to']): string | undefined {
    const value = envValue(this.env, to.robots?.wecom?.webhookEnv);
    if (!value) return undefined;
    return /^https?:\/\//.test(value) ? value : `${WECOM_WEBHOOK}?key=${encodeURIComponent(value)}`;
  }
}
