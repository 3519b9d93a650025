// A translator for one language: messages (ICU subset, i18n/format.ts), numbers, times and waits,
// all on the platform's Intl. No DOM here (client/lib/i18n.ts reads the page's language; unit tests
// run this in Node), so shared code that only speaks can depend on it alone.

import { createFormatter, type Values } from '../../i18n/format.ts';
import { directionOf, type Direction } from '../../i18n/locales.ts';
import { defaultNameTag } from '../../server/protocol/names.ts';
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
  /** A person's name as shown: a visitor's default name ("Visitor 1a2b") in this language, any other as given. */
  name(name: string): string;
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
    name(name) {
      const tag = defaultNameTag(name);
      return tag === null ? name : formatter.format(messages['common.visitorDefault'] ?? 'Visitor {tag}', { tag });
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
