import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ReceivedRequest {
  path: string;
  query: URLSearchParams;
  /** The query string exactly as sent, to check URL-encoding. */
  rawQuery: string;
  contentType?: string;
  body: Record<string, unknown>;
}

export interface RobotReceiver {
  url: string;
  received: ReceivedRequest[];
  /** The next replies, in order (HTTP status and JSON); afterwards `{ errcode: 0 }`. */
  replies: { status?: number; json: Record<string, unknown> }[];
  /** Decides the reply from the request, after `replies` are used up; e.g. a signature check. */
  judge?: (req: ReceivedRequest) => Record<string, unknown>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A real HTTP endpoint on 127.0.0.1 standing in for a WeCom or DingTalk robot webhook. */
export async function startRobotReceiver(): Promise<RobotReceiver> {
  const receiver: RobotReceiver = { url: '', received: [], replies: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((text) => {
        const [path = '', rawQuery = ''] = (req.url ?? '').split('?');
        const received: ReceivedRequest = { path, rawQuery, query: new URLSearchParams(rawQuery), contentType: req.headers['content-type'], body: JSON.parse(text) as Record<string, unknown> };
        receiver.received.push(received);
        const next = receiver.replies.shift();
        res.writeHead(next?.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(next?.json ?? receiver.judge?.(received) ?? { errcode: 0, errmsg: 'ok' }));
      })
      .catch((err: unknown) => {
        res.writeHead(400);
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
