// The page's language, as the server chose it and embedded it in the shell
// (server/http/pages.ts: <script type="application/json" id="parley-i18n">),
// with the formatting that depends on it: messages, numbers, times, waits.
// Only the active language's messages are ever loaded.

import { createFormatter, type Values } from '../../i18n/format.ts';
import { directionOf, negotiate, type Direction } from '../../i18n/locales.ts';
import type common from '../../i18n/en/common.json';
import type widget from '../../i18n/en/widget.json';
import type login from '../../i18n/en/login.json';
import type consoleMessages from '../../i18n/en/console.json';
import type admin from '../../i18n/en/admin.json';

export type CommonKey = keyof typeof common;
export type WidgetKey = keyof typeof widget | CommonKey;
export type LoginKey = keyof typeof login | CommonKey;
export type ConsoleKey = keyof typeof consoleMessages | CommonKey;
export type AdminKey = keyof typeof admin | CommonKey;

export interface I18n<K extends string = CommonKey> {
  readonly locale: string;
  readonly dir: Direction;
  /** The message for `key` with `values` filled in (ICU subset, i18n/format.ts). */
  t(key: K, values?: Values): string;
  number(n: number): string;
  /** "14:05" for a bubble. */
  clockTime(iso: string): string;
  /** "12 Mar 2026, 14:05" for a tooltip. */
  fullTime(iso: string): string;
  /** A wait: "45 sec", "3 min", "1 hr, 5 min" in the locale's words ("just now" under 5 s). */
  duration(ms: number): string;
  /** How long ago: "just now", "3 min ago", "2 hr ago". */
  ago(ms: number): string;
}

interface Embedded {
  locale: string;
  dir: Direction;
  explicit: boolean;
  messages: Record<string, string>;
}

const EMPTY: Embedded = { locale: 'en', dir: 'ltr', explicit: false, messages: {} };

function embedded(doc: Document): Embedded {
  const el = doc.getElementById('parley-i18n');
  if (!el?.textContent) return EMPTY;
  try {
    return { ...EMPTY, ...(JSON.parse(el.textContent) as Partial<Embedded>) };
  } catch {
    return EMPTY;
  }
}

/** A translator over `messages` (the page's catalogue, already completed with English by the server). */
export function createI18n<K extends string>(locale: string, messages: Record<string, string>): I18n<K> {
  const formatter = createFormatter(locale);
  const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const full = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const unit = (u: 'second' | 'minute' | 'hour', n: number) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const valid = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  const t = (key: K, values?: Values) => formatter.format(messages[key] ?? key, values);
  return {
    locale,
    dir: directionOf(locale),
    t,
    number: formatter.number,
    clockTime: (iso) => {
      const d = valid(iso);
      return d ? time.format(d) : '';
    },
    fullTime: (iso) => {
      const d = valid(iso);
      return d ? full.format(d) : '';
    },
    duration(ms) {
      if (ms < 5_000) return relative.format(0, 'second');
      const s = Math.floor(ms / 1000);
      if (s < 60) return unit('second', s);
      const m = Math.floor(s / 60);
      if (m < 60) return unit('minute', m);
      const h = Math.floor(m / 60);
      return m % 60 === 0 ? unit('hour', h) : `${unit('hour', h)} ${unit('minute', m % 60)}`;
    },
    ago(ms) {
      if (ms < 5_000) return relative.format(0, 'second');
      const s = Math.floor(ms / 1000);
      if (s < 60) return relative.format(-s, 'second');
      const m = Math.floor(s / 60);
      if (m < 60) return relative.format(-m, 'minute');
      const h = Math.floor(m / 60);
      if (h < 48) return relative.format(-h, 'hour');
      return relative.format(-Math.floor(h / 24), 'day');
    },
  };
}

/** One translator per page: shared code that defaults to the page's language asks often (lengthStatus, per keystroke). */
const perPage = new WeakMap<Document, I18n<string>>();

/** The page's language and messages, as embedded by the server. */
export function pageI18n<K extends string>(doc: Document = document): I18n<K> {
  let i18n = perPage.get(doc);
  if (!i18n) {
    const data = embedded(doc);
    i18n = createI18n<string>(data.locale, data.messages);
    perPage.set(doc, i18n);
  }
  return i18n as I18n<K>;
}

/**
 * Like pageI18n, but when the server chose by Accept-Language (nothing explicit) and the browser's
 * navigator.languages prefers another shipped language, that language's catalogue files are fetched
 * (/i18n/<locale>/<surface>.json) and <html lang dir> updated before the app renders.
 */
export async function loadPageI18n<K extends string>(surfaces: readonly string[], doc: Document = document): Promise<I18n<K>> {
  const data = embedded(doc);
  const preferred = negotiate(navigator.languages ?? [navigator.language]);
  if (data.explicit || preferred === data.locale || data === EMPTY) return createI18n<K>(data.locale, data.messages);
  try {
    const files = await Promise.all(
      surfaces.map(async (s) => {
        const res = await fetch(`/i18n/${preferred}/${s}.json`, { credentials: 'same-origin' });
        if (!res.ok) throw new Error(`catalogue ${s}: HTTP ${res.status}`);
        return (await res.json()) as Record<string, string>;
      }),
    );
    doc.documentElement.lang = preferred;
    doc.documentElement.dir = directionOf(preferred);
    return createI18n<K>(preferred, Object.assign({}, ...files));
  } catch {
    return createI18n<K>(data.locale, data.messages);
  }
}
