import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A plain node:http client. Fastify's inject() cannot run under jest (its cookie parser is ESM-only), and
 * `localAddress` lets a test speak from 127.0.0.x to exercise per-address limits.
 */
export function request(
  baseUrl: string,
  method: string,
  path: string,
  o: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; from?: string } = {},
): Promise<Reply> {
  const body = o.json !== undefined ? JSON.stringify(o.json) : o.form ? new URLSearchParams(o.form).toString() : undefined;
  const type = o.json !== undefined ? 'application/json' : o.form ? 'application/x-www-form-urlencoded' : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, localAddress: o.from, headers: { ...(type ? { 'content-type': type } : {}), ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
