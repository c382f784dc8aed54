import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface RobotMessage {
  key: string;
  /** Date.now() when accepted. */
  at: number;
  msgtype: string;
  body: Record<string, unknown>;
  /** Members mentioned: user ids (`<@id>` in the content, `mentioned_list`) and `mentioned_mobile_list`. */
  mentions: { userIds: string[]; mobiles: string[] };
}

export interface RobotRefusal {
  key: string;
  at: number;
  errcode: number;
  errmsg: string;
}

export interface RobotFake {
  /** The webhook of robot `key`, as a unit's variable would hold it. */
  url(key: string): string;
  /** Messages accepted, in order; of one robot when `key` is given. */
  accepted(key?: string): RobotMessage[];
  refusals(key?: string): RobotRefusal[];
  close(): Promise<void>;
}

export interface RobotFakeOptions {
  /** Messages a robot accepts per rolling window; WeCom's is 20 a minute. */
  perWindow?: number;
  windowMs?: number;
}

/** WeCom's documented limits on content (developer.work.weixin.qq.com/document/path/91770), in bytes. */
const MAX_BYTES: Record<string, number> = { markdown: 4096, text: 2048 };

type Verdict = { errcode: 0; message: RobotMessage } | { errcode: number; errmsg: string };

/**
 * A loopback fake of the WeCom group robot (`POST /cgi-bin/webhook/send?key=K`) as strict as the real one on what
 * the engine relies on: per key, at most `perWindow` messages in any rolling `windowMs` (beyond: 45009), markdown
 * content ≤ 4,096 bytes and text ≤ 2,048 (beyond: 40058). Refused messages do not count against the window.
 */
export async function startRobotFake(opts: RobotFakeOptions = {}): Promise<RobotFake> {
  const perWindow = opts.perWindow ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const accepted: RobotMessage[] = [];
  const refusals: RobotRefusal[] = [];

  const judge = (key: string | null, raw: string): Verdict => {
    if (!key) return { errcode: 93000, errmsg: 'invalid webhook url' };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { errcode: 40035, errmsg: 'invalid json' };
    }
    const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
    const limit = MAX_BYTES[msgtype];
    const payload = (body[msgtype] ?? {}) as { content?: unknown; mentioned_list?: unknown; mentioned_mobile_list?: unknown };
    if (limit === undefined || typeof payload.content !== 'string') return { errcode: 40008, errmsg: 'invalid message type' };
    if (Buffer.byteLength(payload.content) > limit) return { errcode: 40058, errmsg: `${msgtype}.content exceed max length ${limit}` };
    const now = Date.now();
    const recent = accepted.filter((m) => m.key === key && m.at > now - windowMs).length;
    if (recent >= perWindow) return { errcode: 45009, errmsg: 'api freq out of limit' };
    const inline = [...payload.content.matchAll(/<@([^>]+)>/g)].map((m) => m[1] ?? '');
    const listed = Array.isArray(payload.mentioned_list) ? payload.mentioned_list.map(String) : [];
    const mobiles = Array.isArray(payload.mentioned_mobile_list) ? payload.mentioned_mobile_list.map(String) : [];
    return { errcode: 0, message: { key, at: now, msgtype, body, mentions: { userIds: [...inline, ...listed], mobiles } } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://robot');
    const verdict: Verdict =
      req.method === 'POST' && url.pathname === '/cgi-bin/webhook/send' ? judge(url.searchParams.get('key'), Buffer.concat(chunks).toString('utf8')) : { errcode: 404, errmsg: 'not found' };
    if ('message' in verdict) accepted.push(verdict.message);
    else refusals.push({ key: url.searchParams.get('key') ?? '', at: Date.now(), errcode: verdict.errcode, errmsg: verdict.errmsg });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify('message' in verdict ? { errcode: 0, errmsg: 'ok' } : verdict));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(400);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (key) => `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`,
    accepted: (key) => accepted.filter((m) => key === undefined || m.key === key),
    refusals: (key) => refusals.filter((r) => key === undefined || r.key === key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
