import { attachmentName, detectKind, zipEntryNames, type DetectedKind } from '../../src/validation/evidenceKind';
import { docx, EXE, HEIC, JPEG, LEGACY_DOC, pdf, PNG, WEBP, xlsx, zip } from './fixtures';

const kindOf = (data: Buffer) => {
  const d = detectKind(data);
  return 'refused' in d ? d : { kind: d.kind, mime: d.mime };
};

test('photos are recognised by their first bytes: JPEG, PNG, WebP and an iPhone HEIC', () => {
  expect(kindOf(JPEG)).toEqual({ kind: 'image', mime: 'image/jpeg' });
  expect(kindOf(PNG)).toEqual({ kind: 'image', mime: 'image/png' });
  expect(kindOf(WEBP)).toEqual({ kind: 'image', mime: 'image/webp' });
  expect(kindOf(HEIC)).toEqual({ kind: 'image', mime: 'image/heic' });
});

test('a PDF, a workbook written by exceljs and a Word document are told apart, the last two by their ZIP entries', async () => {
  expect(kindOf(pdf())).toEqual({ kind: 'pdf', mime: 'application/pdf' });
  const book = await xlsx();
  expect(zipEntryNames(book)).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml']));
  expect(kindOf(book)).toEqual({ kind: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  expect(kindOf(docx())).toEqual({ kind: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
});

test('content decides, never the name: executables, other ZIPs, old or macro Office files and text are refused', () => {
  expect(detectKind(EXE)).toEqual({ refused: 'unknown' });
  expect(detectKind(Buffer.from('\x7fELF\x02\x01\x01\0', 'latin1'))).toEqual({ refused: 'unknown' });
  expect(detectKind(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toEqual({ refused: 'unknown' });
  expect(detectKind(zip({ 'readme.txt': 'hello', 'setup.exe': 'MZ' }))).toEqual({ refused: 'unknown' });
  // Entries of both kinds, or OOXML entries without the package's content types, are no Office file either.
  expect(detectKind(docx({ 'xl/workbook.xml': '<workbook/>' }))).toEqual({ refused: 'unknown' });
  expect(detectKind(zip({ 'word/document.xml': '<w:document/>' }))).toEqual({ refused: 'unknown' });
  expect(detectKind(docx({ 'word/vbaProject.bin': 'macro' }))).toEqual({ refused: 'macro' });
  expect(detectKind(LEGACY_DOC)).toEqual({ refused: 'legacy-office' });
  // A self-extracting archive: a program with a Word document appended is still a program.
  expect(detectKind(Buffer.concat([EXE, docx()]))).toEqual({ refused: 'unknown' });
  // A ZIP cut short has no table of contents to read.
  expect(detectKind(docx().subarray(0, 100))).toEqual({ refused: 'unknown' });
  expect(detectKind(Buffer.alloc(0))).toEqual({ refused: 'unknown' });
});

test('names keep what the user sees, lose paths and direction tricks, and end with an extension of the proved type', () => {
  const jpeg = detectKind(JPEG) as DetectedKind;
  const pdfKind = detectKind(pdf()) as DetectedKind;
  expect(attachmentName('公开栏.JPG', jpeg, '附件1')).toBe('公开栏.JPG');
  expect(attachmentName('C:\\fakepath\\公开栏.jpeg', jpeg, '附件1')).toBe('公开栏.jpeg');
  expect(attachmentName('../../etc/passwd', jpeg, '附件1')).toBe('passwd.jpg');
  expect(attachmentName('通知.exe', pdfKind, '附件1')).toBe('通知.exe.pdf');
  // U+202E turns `公开gpj.exe` into what reads as `公开exe.jpg`.
  expect(attachmentName('公开\u202egpj.exe', pdfKind, '附件1')).toBe('公开gpj.exe.pdf');
  expect(attachmentName('', pdfKind, '附件2')).toBe('附件2.pdf');
  expect(attachmentName(`${'长'.repeat(150)}.pdf`, pdfKind, '附件1')).toBe(`${'长'.repeat(100)}.pdf`);
});
