import Fastify, { type FastifyInstance } from 'fastify';
import { toHttpError } from '../../src/http/errors';
import { readMultipart, registerMultipart } from '../../src/http/multipart';
import { pdf, PNG } from './fixtures';

/** The parser on its own, as the complete and progress handlers use it: a bare server with one form route. */
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  app = Fastify();
  await registerMultipart(app, { maxFiles: 3, maxFileBytes: 1024 });
  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = toHttpError(err);
    return reply.code(status).send(body);
  });
  app.post('/form', async (req) => {
    const { fields, files } = await readMultipart(req);
    return { fields, files: files.map((f) => ({ name: f.name, size: f.data.length })) };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/form`;
});

afterAll(() => app.close());

function form(fields: Record<string, string>, files: { name: string; data: Buffer; field?: string }[]): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  for (const f of files) body.append(f.field ?? 'attachments', new Blob([new Uint8Array(f.data)]), f.name);
  return body;
}

const post = async (body: FormData | string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, body: (await res.json()) as unknown };
};

test('fields and files come back in order; a file input left empty is no file', async () => {
  const body = form({ note: '已张贴', 'f.disclosedOn': '2026-09-28' }, [{ name: '公开栏.png', data: PNG }]);
  body.append('attachments', new Blob([]), '');
  body.append('attachments', new Blob([new Uint8Array(pdf())]), '台账.pdf');
  expect(await post(body)).toEqual({
    status: 200,
    body: {
      fields: { note: '已张贴', 'f.disclosedOn': '2026-09-28' },
      files: [
        { name: '公开栏.png', size: PNG.length },
        { name: '台账.pdf', size: pdf().length },
      ],
    },
  });
});

test('a file over the limit is cut off while it streams in and named like the service names it', async () => {
  const reply = await post(form({}, [{ name: 'a.png', data: PNG }, { name: '大照片.png', data: Buffer.concat([PNG, Buffer.alloc(4096)]) }]));
  expect(reply).toEqual({ status: 400, body: { error: '佐证材料有 1 处问题,请按提示修改', issues: [{ field: '附件 2(大照片.png)', message: '文件过大(最大 1 KB)' }] } });
});

test('one file more than allowed is refused, naming the limit', async () => {
  const four = [0, 1, 2, 3].map((i) => ({ name: `p${i}.png`, data: PNG }));
  expect(await post(form({}, four))).toMatchObject({ status: 400, body: { issues: [{ field: '附件', message: '每次最多上传 3 个文件' }] } });
});

test('a field sent twice, and a body that is no multipart form, are refused in Chinese', async () => {
  const twice = form({ note: 'a' }, []);
  twice.append('note', 'b');
  expect(await post(twice)).toMatchObject({ status: 400, body: { issues: [{ field: 'note', message: '只能填写一个值' }] } });
  expect(await post(JSON.stringify({ note: 'a' }), { 'content-type': 'application/json' })).toEqual({ status: 400, body: { error: '请以 multipart/form-data 表单提交(含附件时必须如此)' } });
});
