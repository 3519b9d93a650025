// Settings the server writes into every page (server/http/pages.ts), read before connecting.

import { pageI18n } from './i18n.ts';
import { lengthStatus as sayLength, type LengthStatus } from './length-status.ts';
import type { CommonKey, I18n } from './translator.ts';

/** MAX_MESSAGE_LENGTH: longer messages are refused, so the composer counts toward it. */
export function maxMessageLength(doc: Pick<Document, 'querySelector'> = document): number {
  const raw = doc.querySelector<HTMLMetaElement>('meta[name="parley:max-message-length"]')?.content;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 4000;
}

/** MAX_UPLOAD_BYTES: bigger files are refused before they are uploaded. */
export function maxUploadBytes(doc: Pick<Document, 'querySelector'> = document): number {
  const n = Number(doc.querySelector<HTMLMetaElement>('meta[name="parley:max-upload-bytes"]')?.content);
  return Number.isInteger(n) && n > 0 ? n : 10 * 1024 * 1024;
}

export type { LengthStatus };

/** length-status.ts's counter, by default in the language the server embedded in the page. */
export function lengthStatus(length: number, limit: number, i18n: Pick<I18n<CommonKey>, 't'> = pageI18n()): LengthStatus {
  return sayLength(length, limit, i18n);
}
