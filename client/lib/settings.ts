// Settings the server writes into every page (server/http/pages.ts), read before connecting.

import { type CommonKey, type I18n, pageI18n } from './i18n.ts';

/** MAX_MESSAGE_LENGTH: longer messages are refused, so the composer counts toward it. */
export function maxMessageLength(doc: Pick<Document, 'querySelector'> = document): number {
  const raw = doc.querySelector<HTMLMetaElement>('meta[name="parley:max-message-length"]')?.content;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 4000;
}

/** What a composer says about its text's length: nothing far from the limit, what is left near it, by how much over it. */
export interface LengthStatus {
  shown: boolean;
  over: boolean;
  text: string;
}

/** The counter appears once this share of the limit is used. */
const COUNT_FROM = 0.8;

/** In the page's language (`i18n`, by default the one the server embedded in the page). */
export function lengthStatus(length: number, limit: number, i18n: Pick<I18n<CommonKey>, 't'> = pageI18n()): LengthStatus {
  const over = length - limit;
  return {
    shown: length >= limit * COUNT_FROM,
    over: over > 0,
    text: over > 0 ? i18n.t('common.length.over', { over, limit }) : i18n.t('common.length.left', { count: limit - length }),
  };
}
