// What a composer says about its text's length: nothing far from the limit, what is left near it, by how
// much over it (MAX_MESSAGE_LENGTH, counted in UTF-16 code units as the server counts), in the page's language.

import type { CommonKey, I18n } from './translator.ts';

export interface LengthStatus {
  shown: boolean;
  over: boolean;
  text: string;
}

/** The counter appears once this share of the limit is used. */
const COUNT_FROM = 0.8;

export function lengthStatus(length: number, limit: number, i18n: Pick<I18n<CommonKey>, 't'>): LengthStatus {
  const over = length - limit;
  return {
    shown: length >= limit * COUNT_FROM,
    over: over > 0,
    text: over > 0 ? i18n.t('common.length.over', { over, limit }) : i18n.t('common.length.left', { count: limit - length }),
  };
}
