import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectAttach, readAttachments } from '../../src/cli/attach';
import { ValidationError } from '../../src/errors';
import { acceptUploads, photoExif } from '../../src/services/evidence';
import { ATTACHMENT_KINDS } from '../../src/shared/evidence';
import { caught } from '../catalog/fixtures';
import { docx, EXE, JPEG, jpegWithExif, LEGACY_DOC, pdf, PNG, xlsx } from './fixtures';

const LIMITS = { maxFiles: 10, maxFileBytes: 1024 };
const ALL = ATTACHMENT_KINDS;

/** The issues of a refusal, as `path: message` lines (the CLI prints them this way). */
async function refusal(fn: () => unknown): Promise<string[]> {
  const err = await caught(ValidationError, fn);
  expect(err.subject).toBe('佐证材料');
  return err.issues.map((i) => `${i.path}: ${i.message}`);
}

test('accepted files keep their order, get a clean name with the proved extension and their hash', async () => {
  const accepted = acceptUploads(
    [
      { name: '公开栏', data: JPEG },
      { name: '台账.xlsx', data: await xlsx() },
    ],
    ALL,
    { ...LIMITS, maxFileBytes: 1024 * 1024 },
  );
  expect(accepted.map((a) => [a.name, a.detected.kind])).toEqual([
    ['公开栏.jpg', 'image'],
    ['台账.xlsx', 'xlsx'],
  ]);
  expect(accepted[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
});

test('every problem of every file is named at once: empty, too large, not a known kind, a kind the duty does not take, twice', async () => {
  const big = Buffer.concat([PNG, Buffer.alloc(2048)]);
  const lines = await refusal(() =>
    acceptUploads(
      [
        { name: 'empty.pdf', data: Buffer.alloc(0) },
        { name: 'big.png', data: big },
        { name: 'setup.jpg', data: EXE },
        { name: 'old.doc', data: LEGACY_DOC },
        { name: 'report.docx', data: docx() },
        { name: 'a.pdf', data: pdf() },
        { name: 'a-again.pdf', data: pdf() },
      ],
      ['xlsx', 'pdf'],
      LIMITS,
    ),
  );
  expect(lines).toEqual([
    '附件 1(empty.pdf): 文件为空',
    '附件 2(big.png): 文件过大(最大 1 KB,收到 3 KB)',
    '附件 3(setup.jpg): 文件内容不是图片、PDF、Excel 或 Word(按内容识别)',
    '附件 4(old.doc): 是旧版(.doc/.xls)或加了密码的 Office 文件,请另存为 .docx/.xlsx 并取消密码后再上传',
    '附件 5(report.docx): 本任务的佐证材料只接受 Excel 或 PDF,此文件是 Word',
    '附件 7(a-again.pdf): 与附件 6 内容相同',
  ]);
});

test('more files than one step may carry are refused, naming the limit', async () => {
  const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `p${i}.png`, data: Buffer.concat([PNG, Buffer.from([i])]) }));
  expect(await refusal(() => acceptUploads(eleven, ALL, LIMITS))).toEqual(['附件: 每次最多上传 10 个文件,收到 11 个']);
  expect(acceptUploads(eleven.slice(0, 10), ALL, LIMITS)).toHaveLength(10);
});

test('a photo’s EXIF gives when (local time, in the county’s zone) and where it was taken', async () => {
  const photo = jpegWithExif({ takenAt: '2026:09:28 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] });
  expect(await photoExif(photo)).toEqual({ takenAt: '2026-09-28T10:15:30+08:00', latitude: 28.841666666666665, longitude: 112.35 });
  // No EXIF, or none that parses, leaves the fields out and refuses nothing.
  expect(await photoExif(JPEG)).toBeUndefined();
  expect(await photoExif(PNG)).toBeUndefined();
  expect(acceptUploads([{ name: 'exif.jpg', data: photo }], ['image'], LIMITS)).toHaveLength(1);
});

describe('the CLI’s --attach files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duty-attach-'));
    writeFileSync(path.join(dir, '台账.pdf'), pdf());
    writeFileSync(path.join(dir, 'huge.pdf'), Buffer.alloc(4096));
    writeFileSync(path.join(dir, 'secret.pdf'), pdf(), { mode: 0o000 });
  });
  afterAll(() => {
    chmodSync(path.join(dir, 'secret.pdf'), 0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  test('are read in the order given, named by their base name', async () => {
    const paths = ['台账.pdf', '台账.pdf'].reduce<string[]>((all, p) => collectAttach(path.join(dir, p), all), []);
    const uploads = await readAttachments(paths, LIMITS);
    expect(uploads.map((u) => u.name)).toEqual(['台账.pdf', '台账.pdf']);
    expect(uploads[0]?.data).toEqual(pdf());
  });

  test('a missing, oversized, unreadable file or a folder is named by the path as typed', async () => {
    const missing = path.join(dir, 'nope.jpg');
    const paths = [missing, path.join(dir, 'huge.pdf'), path.join(dir, 'secret.pdf'), dir];
    const err = await caught(ValidationError, () => readAttachments(paths, LIMITS));
    const unreadable = process.getuid?.() === 0 ? [] : [`--attach ${paths[2]}: 无权读取该文件`];
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `--attach ${missing}: 文件不存在`,
      `--attach ${paths[1]}: 文件过大(最大 1 KB,收到 4 KB)`,
      ...unreadable,
      `--attach ${dir}: 不是文件(是文件夹或设备)`,
    ]);
  });
});
