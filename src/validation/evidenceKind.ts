import type { AttachmentKind } from '../shared/types';

/**
 * What an evidence file is, read from its bytes, never from its name or the type the browser claims: a renamed
 * executable is refused, and a file is served back only with the type its content proved.
 */

export interface DetectedKind {
  kind: AttachmentKind;
  mime: string;
  /** Extensions a name of this type may end with; the first is added to a name that ends with none of them. */
  extensions: readonly string[];
}

/** Why a file is refused: nothing recognised, an old or password-protected Office file, or one that carries macros. */
export type Refusal = 'unknown' | 'legacy-office' | 'macro';

export type Detection = DetectedKind | { refused: Refusal };

const XLSX: DetectedKind = { kind: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] };
const DOCX: DetectedKind = { kind: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'] };
const PDF: DetectedKind = { kind: 'pdf', mime: 'application/pdf', extensions: ['pdf'] };
const JPEG: DetectedKind = { kind: 'image', mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] };
const PNG: DetectedKind = { kind: 'image', mime: 'image/png', extensions: ['png'] };
const WEBP: DetectedKind = { kind: 'image', mime: 'image/webp', extensions: ['webp'] };
const HEIC: DetectedKind = { kind: 'image', mime: 'image/heic', extensions: ['heic', 'heif'] };
const HEIF: DetectedKind = { kind: 'image', mime: 'image/heif', extensions: ['heif', 'heic'] };

/** Every type a file can be proved to be. */
export const DETECTABLE: readonly DetectedKind[] = [JPEG, PNG, WEBP, HEIC, HEIF, PDF, XLSX, DOCX];

/** ISO-BMFF major brands of HEVC-coded photos (iPhones write `heic`) and of generic HEIF still images. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

const ascii = (data: Uint8Array, at: number, length: number): string => String.fromCharCode(...data.subarray(at, at + length));
const startsWith = (data: Uint8Array, bytes: readonly number[], at = 0): boolean => bytes.every((b, i) => data[at + i] === b);

const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export function detectKind(data: Uint8Array): Detection {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 4) === 'WEBP') return WEBP;
  if (ascii(data, 4, 4) === 'ftyp') {
    const brand = ascii(data, 8, 4);
    if (HEIC_BRANDS.has(brand)) return HEIC;
    if (HEIF_BRANDS.has(brand)) return HEIF;
  }
  if (ascii(data, 0, 5) === '%PDF-') return PDF;
  // A self-extracting executable also holds a ZIP, at its end: only a file that is a ZIP from its first byte counts.
  if (ascii(data, 0, 4) === 'PK\x03\x04') return officeKind(zipEntryNames(data));
  // Word 97–2003, Excel 97–2003 and every password-protected Office file are compound files.
  if (startsWith(data, CFB)) return { refused: 'legacy-office' };
  return { refused: 'unknown' };
}

/** OOXML is a ZIP with `[Content_Types].xml`; its parts lie under `xl/` for a workbook, `word/` for a document. */
function officeKind(names: string[] | undefined): Detection {
  if (!names?.includes('[Content_Types].xml')) return { refused: 'unknown' };
  const excel = names.some((n) => n.startsWith('xl/'));
  const word = names.some((n) => n.startsWith('word/'));
  if (excel === word) return { refused: 'unknown' };
  if (names.some((n) => n.toLowerCase().endsWith('vbaproject.bin'))) return { refused: 'macro' };
  return excel ? XLSX : DOCX;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/**
 * The entry names of a ZIP's central directory (its table of contents at the end), read without inflating anything.
 * Undefined when the directory is missing or runs past the file: a damaged or ZIP64 archive, which no Office file
 * within the evidence size limit is.
 */
export function zipEntryNames(data: Uint8Array): string[] | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let end = -1;
  for (let p = data.length - EOCD_SIZE; p >= Math.max(0, data.length - EOCD_SIZE - MAX_COMMENT); p--) {
    if (view.getUint32(p, true) === EOCD) {
      end = p;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = view.getUint16(end + 10, true);
  const size = view.getUint32(end + 12, true);
  const start = view.getUint32(end + 16, true);
  if (start + size > end) return undefined;
  const decoder = new TextDecoder();
  const names: string[] = [];
  for (let p = start, i = 0; i < count; i++) {
    if (p + 46 > end || view.getUint32(p, true) !== CENTRAL) return undefined;
    const nameLength = view.getUint16(p + 28, true);
    const next = p + 46 + nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    if (next > end) return undefined;
    names.push(decoder.decode(data.subarray(p + 46, p + 46 + nameLength)));
    p = next;
  }
  return names;
}

const MAX_NAME = 100;
/** Control characters, and the bidirectional overrides that make `gpj.exe` read as `exe.jpg`. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** What the browser sent as a name, shown in messages: its last part (some send `C:\fakepath\…`), made safe, clipped. */
export function plainName(raw: string): string {
  return [...(raw.split(/[\\/]/).at(-1) ?? '').replace(UNSAFE, '').trim()].slice(0, MAX_NAME).join('');
}

/**
 * The name a file is kept and offered under: its plain name (or `fallback`), ending with an extension of its
 * detected type, so `通知.exe` that is a PDF is saved as `通知.exe.pdf`, never as a program.
 */
export function attachmentName(raw: string, detected: DetectedKind, fallback: string): string {
  const name = plainName(raw) || fallback;
  const extension = name.includes('.') ? (name.split('.').at(-1) ?? '').toLowerCase() : '';
  return detected.extensions.includes(extension) ? name : `${name}.${detected.extensions[0]}`;
}
