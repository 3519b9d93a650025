// [I18N-ERR] What a person reads when the server says no: the code in words of the page's
// language (common.error.<code>, common.notSent.<code>), never the server's English message;
// and the composer's length counter, with the language's plural forms.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorText, notSentText } from '../../client/lib/error-text.ts';
import { lengthStatus } from '../../client/lib/length-status.ts';
import { type CommonKey, createI18n } from '../../client/lib/translator.ts';
import { ErrorCode } from '../../server/protocol/errors.ts';

const common = (lang: string) => createI18n<CommonKey>(lang, JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'i18n', lang, 'common.json'), 'utf8')));

describe('[I18N-ERR] error codes in words', () => {
  it('[I18N-ERR1] every ErrorCode has a sentence of its own in every language; unknown codes read as internal, timeouts as network', () => {
    for (const lang of ['en', 'de', 'ar', 'ja']) {
      const i18n = common(lang);
      const texts = Object.values(ErrorCode).map((code) => errorText(i18n, code));
      expect(texts.every((t) => t && !t.startsWith('common.')), lang).toBe(true);
      expect(new Set(texts).size, `${lang}: one text per code`).toBe(texts.length);
      expect(errorText(i18n, 'something_new')).toBe(i18n.t('common.error.internal'));
      expect(errorText(i18n, 'timeout')).toBe(i18n.t('common.error.network'));
    }
    expect(errorText(common('de'), 'rate_limited')).toBe('Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.');
  });

  it('[I18N-ERR2] a failed send says why for the codes that explain it, and "could not be reached" for the rest', () => {
    const en = common('en');
    expect(notSentText(en, 'conversation_closed')).toBe('Not sent: the conversation has ended');
    expect(notSentText(en, 'invalid_payload')).toContain('the server refused this text');
    for (const transient of ['timeout', 'unavailable', 'internal', null]) expect(notSentText(en, transient)).toBe('Not sent: the server could not be reached');
    expect(notSentText(common('fr'), 'conversation_closed')).toBe('Non envoyé\u00a0: la conversation est terminée');
  });
});

describe('[I18N-LEN] the length counter in the language', () => {
  it('[I18N-LEN1] English, with localised numbers', () => {
    const en = common('en');
    expect(lengthStatus(10, 500, en)).toEqual({ shown: false, over: false, text: '490 characters left' });
    expect(lengthStatus(499, 500, en).text).toBe('1 character left');
    expect(lengthStatus(4500, 4000, en)).toEqual({ shown: true, over: true, text: '500 characters too long (at most 4,000)' });
  });

  it('[I18N-LEN2] Russian and Arabic plural forms, German number grouping', () => {
    const ru = common('ru');
    expect(lengthStatus(499, 500, ru).text).toBe('Остался 1 символ');
    expect(lengthStatus(497, 500, ru).text).toBe('Осталось 3 символа');
    expect(lengthStatus(495, 500, ru).text).toBe('Осталось 5 символов');
    expect(lengthStatus(502, 500, ru).text).toBe('Текст длиннее на 2 символа (максимум 500)');
    const ar = common('ar');
    expect(lengthStatus(498, 500, ar).text).toBe('تبقّى حرفان');
    expect(lengthStatus(500, 500, ar).text).toBe('لم يتبقَّ أي حرف');
    expect(lengthStatus(4500, 4000, common('de')).text).toBe('500 Zeichen zu lang (höchstens 4.000)');
  });
});
