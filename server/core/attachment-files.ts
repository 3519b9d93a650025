// What an uploaded file is, decided from its bytes, and the name it is shown and downloaded
// under. Pure functions: no I/O. The client's declared type is a hint, never trusted: a file is
// stored under the type its content proves, or refused.

import type { AttachmentType } from '../protocol/attachments.ts';

const startsWith = (data: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const PDF = ascii('%PDF-');

/**
 * Plain text: well-formed UTF-8 without NUL or other control characters than tab, line feed,
 * form feed and carriage return. Only when the client called it text (or named it .txt): an
 * arbitrary binary that happens to decode is not offered as text.
 */
function isPlainText(data: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/** The allowed type the content is, or null (refused: `unsupported_type`). */
export function detectType(data: Uint8Array, declaredType: string, fileName: string): AttachmentType | null {
  if (startsWith(data, PNG)) return 'image/png';
  if (startsWith(data, JPEG)) return 'image/jpeg';
  if (startsWith(data, GIF87) || startsWith(data, GIF89)) return 'image/gif';
  if (startsWith(data, RIFF) && startsWith(data, WEBP, 8)) return 'image/webp';
  if (startsWith(data, PDF)) return 'application/pdf';
  const saysText = declaredType.toLowerCase().startsWith('text/plain') || fileName.toLowerCase().endsWith('.txt');
  if (saysText && data.length > 0 && isPlainText(data)) return 'text/plain';
  return null;
}

/** The longest name kept, in code points (a longer one keeps its start and its extension). */
export const FILE_NAME_MAX = 200;

const EXTENSION: Record<AttachmentType, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
};

/** Bidirectional controls would let `gpj.exe` display as `exe.jpg`; they go, with every control character. */
function isDropped(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}

/**
 * The name shown and offered for download: the last path segment of what the client sent, well-formed
 * Unicode, without control or bidi characters, white space collapsed, at most FILE_NAME_MAX code points;
 * `file.<ext>` when nothing is left. Markup stays as it is: every client renders names as text.
 */
export function cleanFileName(raw: string, type: AttachmentType): string {
  const base = raw.slice(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1).toWellFormed();
  let out = '';
  let space = false;
  for (const ch of base) {
    const c = ch.codePointAt(0)!;
    if (isDropped(c)) continue;
    if (/\s/.test(ch)) {
      space = out.length > 0;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  const points = [...out];
  if (points.length > FILE_NAME_MAX) {
    const dot = out.lastIndexOf('.');
    const ext = dot > 0 && out.length - dot <= 10 ? [...out.slice(dot)] : [];
    out = points.slice(0, FILE_NAME_MAX - ext.length).join('') + ext.join('');
  }
  if (out === '' || out === '.' || out === '..') return `file${EXTENSION[type]}`;
  return out;
}

/** RFC 5987 attr-char: what encodeURIComponent leaves alone, less ' ( ) * and !. */
function encodeRfc5987(s: string): string {
  return encodeURIComponent(s).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `Content-Disposition` (RFC 6266): an ASCII `filename` for old agents (anything else, quotes and
 * backslashes become `_`) and the exact name as `filename*` (RFC 5987, UTF-8).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  let fallback = '';
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    fallback += c >= 0x20 && c < 0x7f && ch !== '"' && ch !== '\\' && ch !== '%' ? ch : '_';
  }
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
