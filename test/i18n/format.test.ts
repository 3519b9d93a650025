// [I18N-FMT] The ICU subset of i18n/format.ts: placeholders, numbers, plurals by each shipped
// language's own rules (Intl.PluralRules), select, and malformed messages refused with a position.

import { describe, expect, it } from 'vitest';
import { createFormatter, MessageSyntaxError, parseMessage, shapeOf } from '../../i18n/format.ts';
import { LANGUAGES, matchLanguage, negotiate, parseAcceptLanguage } from '../../i18n/locales.ts';

const COUNT = '{n, plural, =0 {none} zero {zero:#} one {one:#} two {two:#} few {few:#} many {many:#} other {other:#}}';

describe('[I18N-FMT] message formatting', () => {
  it('fills placeholders and leaves a missing one visible', () => {
    const f = createFormatter('en');
    expect(f.format('Hello {name}, you are #{place}', { name: 'Ada', place: 3 })).toBe('Hello Ada, you are #3');
    expect(f.format('Hello {name}')).toBe('Hello {name}');
  });

  it.each([
    ['en', [[1, 'one:1'], [2, 'other:2'], [1000, 'other:1,000']]],
    ['de', [[1, 'one:1'], [5, 'other:5'], [1000, 'other:1.000']]],
    ['fr', [[0, 'none'], [1, 'one:1'], [2, 'other:2'], [1000000, 'many:1 000 000']]],
    ['es', [[1, 'one:1'], [3, 'other:3'], [1000000, 'many:1.000.000']]],
    ['pt-BR', [[1, 'one:1'], [2, 'other:2'], [1000000, 'many:1.000.000']]],
    ['ru', [[1, 'one:1'], [3, 'few:3'], [5, 'many:5'], [21, 'one:21'], [1.5, 'other:1,5']]],
    ['ar', [[0, 'none'], [1, 'one:1'], [2, 'two:2'], [3, 'few:3'], [11, 'many:11'], [100, 'other:100']]],
    ['ja', [[1, 'other:1'], [2, 'other:2'], [1000, 'other:1,000']]],
    ['zh-CN', [[1, 'other:1'], [2, 'other:2'], [1000, 'other:1,000']]],
  ] as const)('plural forms in %s', (locale, cases) => {
    const f = createFormatter(locale);
    for (const [n, want] of cases) {
      // fr/es/pt 'many' uses a narrow no-break space or dot as a group separator: compare digits loosely.
      expect(f.format(COUNT, { n }).replace(/[\u202f\u00a0]/g, ' ')).toBe(want.replace(/[\u202f\u00a0]/g, ' '));
    }
  });

  it('covers every shipped language', () => {
    expect(LANGUAGES.length).toBe(9);
  });

  it('selects by value, falling back to other', () => {
    const f = createFormatter('en');
    const m = '{role, select, admin {Admin} other {Agent}}';
    expect(f.format(m, { role: 'admin' })).toBe('Admin');
    expect(f.format(m, { role: 'agent' })).toBe('Agent');
    expect(shapeOf(`${m} {n, plural, one {#} other {#}}`).args).toEqual(new Set(['role', 'n']));
  });

  it.each(['{', '}', 'a {b', '{n, plural, one {#}}', '{n, foo}', '{n, select, a {x} other {y}', 'a }'])('refuses %j', (source) => {
    expect(() => parseMessage(source)).toThrow(MessageSyntaxError);
  });

  it('parses a long message in one pass', () => {
    const long = 'x'.repeat(200_000) + '{a}';
    expect(createFormatter('en').format(long, { a: 1 }).length).toBe(200_001);
  });
});

describe('[I18N-NEG] choosing a shipped language', () => {
  it('matches exact tags, regions of shipped languages, and falls back to English', () => {
    expect(matchLanguage('zh-CN')).toBe('zh-CN');
    expect(matchLanguage('zh-TW')).toBe('zh-CN');
    expect(matchLanguage('pt_PT')).toBe('pt-BR');
    expect(matchLanguage('ES-mx')).toBe('es');
    expect(matchLanguage('tlh')).toBe(null);
    expect(negotiate(['tlh', 'de-AT', 'en'])).toBe('de');
    expect(negotiate([])).toBe('en');
  });

  it('reads Accept-Language by quality, bounded on huge headers', () => {
    expect(parseAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.95, *;q=0.5')).toEqual(['fr-CH', 'de', 'fr', 'en']);
    expect(parseAcceptLanguage('ar;q=0, es')).toEqual(['es']);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    const huge = 'x-'.repeat(500_000) + ',ja';
    expect(parseAcceptLanguage(huge).length).toBeLessThanOrEqual(20);
    expect(parseAcceptLanguage(Array(10_000).fill('tlh').join(',') + ',ja')).not.toContain('ja');
  });
});
