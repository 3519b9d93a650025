// [I18N-CAT] The shipped catalogues are complete (the same check as `npm run i18n:check`),
// and the check catches what it promises to: a missing key, a changed placeholder, a missing plural form.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../i18n/locales.ts';
import { checkCatalogues } from '../../scripts/check-i18n.ts';

const I18N = join(import.meta.dirname, '..', '..', 'i18n');

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-i18n-'));
  cpSync(I18N, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return dir;
}

function edit(dir: string, file: string, change: (m: Record<string, string>) => void) {
  const path = join(dir, file);
  const messages = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  change(messages);
  writeFileSync(path, JSON.stringify(messages));
}

describe('[I18N-CAT] message catalogues', () => {
  it('every shipped language has every key, with English placeholders and its own plural forms', () => {
    const { problems } = checkCatalogues();
    expect(problems).toEqual([]);
  });

  it('ships the nine languages the product promises', () => {
    expect(LANGUAGES.map((l) => l.code).sort()).toEqual(['ar', 'de', 'en', 'es', 'fr', 'ja', 'pt-BR', 'ru', 'zh-CN']);
  });

  it('reports a missing key, a placeholder that differs, a missing plural form and a syntax error', () => {
    const dir = copy();
    edit(dir, 'de/login.json', (m) => delete m['login.heading']);
    edit(dir, 'en/common.json', (m) => (m['common.testCount'] = '{count, plural, one {# chat} other {# chats}}'));
    for (const { code } of LANGUAGES) if (code !== 'en') edit(dir, `${code}/common.json`, (m) => (m['common.testCount'] = '{count, plural, one {#} other {#}}'));
    edit(dir, 'ru/common.json', (m) => (m['common.testCount'] = '{count, plural, one {# чат} other {# чатов}}'));
    edit(dir, 'fr/common.json', (m) => (m['common.testCount'] = '{n, plural, one {# chat} other {# chats}}'));
    edit(dir, 'es/login.json', (m) => (m['login.heading'] = 'Inicia {sesión'));
    const { problems } = checkCatalogues(dir);
    expect(problems).toContain('de/login.json: missing key "login.heading"');
    expect(problems.some((p) => p.startsWith('ru/common.json: "common.testCount": plural {count} lacks few, many'))).toBe(true);
    expect(problems).toContain('fr/common.json: "common.testCount" has placeholders {n}, English has {count}');
    expect(problems.some((p) => p.startsWith('es/login.json: "login.heading": expected'))).toBe(true);
    expect(problems.filter((p) => p.startsWith('ja/'))).toEqual([]);
  });
});
