// The languages Parley ships, and how a list of requested languages (a
// browser's navigator.languages, an Accept-Language header, a page's data-lang)
// is matched against them. Shared by the server (page shells) and the client
// (widget loader, apps); imports nothing.

export interface Language {
  /** BCP 47 tag, as used for <html lang>, Intl and the catalogue directory name. */
  code: string;
  /** The language's name in itself, for pickers. */
  name: string;
  dir: 'ltr' | 'rtl';
}

/** Every shipped language. English is the source language and the fallback for missing keys. */
export const LANGUAGES: readonly Language[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'zh-CN', name: '简体中文', dir: 'ltr' },
  { code: 'es', name: 'Español', dir: 'ltr' },
  { code: 'de', name: 'Deutsch', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'pt-BR', name: 'Português (Brasil)', dir: 'ltr' },
  { code: 'ja', name: '日本語', dir: 'ltr' },
  { code: 'ru', name: 'Русский', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
];

export const SOURCE_LANGUAGE = 'en';

export type Direction = Language['dir'];

/** The language's text direction; unknown codes are left-to-right. */
export function directionOf(code: string): Direction {
  return LANGUAGES.find((l) => l.code === code)?.dir ?? 'ltr';
}

/** Longest tag considered: BCP 47 tags in practice are far shorter; anything longer is noise. */
const MAX_TAG = 35;

/**
 * The shipped language for one requested tag, or null. Case-insensitive;
 * `_` is read as `-` (Java-style locales); a region we do not ship falls back to
 * the language (es-MX → es, pt-PT → pt-BR, zh-TW → zh-CN).
 */
export function matchLanguage(tag: string): string | null {
  if (!tag || tag.length > MAX_TAG) return null;
  const wanted = tag.trim().replaceAll('_', '-').toLowerCase();
  const exact = LANGUAGES.find((l) => l.code.toLowerCase() === wanted);
  if (exact) return exact.code;
  const primary = wanted.split('-')[0];
  return LANGUAGES.find((l) => l.code.toLowerCase().split('-')[0] === primary)?.code ?? null;
}

/** The first requested tag that matches a shipped language, else `fallback`. */
export function negotiate(requested: readonly string[], fallback: string = SOURCE_LANGUAGE): string {
  for (const tag of requested.slice(0, MAX_ACCEPT)) {
    const code = matchLanguage(tag);
    if (code) return code;
  }
  return fallback;
}

/** At most this many entries of an Accept-Language header are read. */
const MAX_ACCEPT = 20;

/**
 * Accept-Language (`de-CH, de;q=0.9, en;q=0.8`) → tags by preference. Linear in
 * the header's length (split, no regular expression); only the first 1,000
 * characters and 20 entries are read, so a huge header costs nothing.
 */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const entries: Array<{ tag: string; q: number; i: number }> = [];
  const parts = header.slice(0, 1000).split(',');
  for (let i = 0; i < parts.length && entries.length < MAX_ACCEPT; i++) {
    const [rawTag, ...params] = parts[i].split(';');
    const tag = rawTag.trim();
    if (!tag || tag === '*') continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim() === 'q') q = Number(v);
    }
    if (!(q > 0 && q <= 1)) continue;
    entries.push({ tag, q, i });
  }
  entries.sort((a, b) => b.q - a.q || a.i - b.i);
  return entries.map((e) => e.tag);
}
