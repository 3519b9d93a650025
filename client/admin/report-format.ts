// What the Reports page (reports.tsx) computes on its side: the viewer's time zone, the preset
// ranges as ISO dates of the viewer's calendar, and how figures, buckets, weekdays and hours are
// written in the page's language (Intl).

import type { AdminKey, I18n } from '../lib/i18n.ts';

export type Preset = 'today' | 'week' | 'month' | 'custom';
export const PRESETS: Preset[] = ['today', 'week', 'month', 'custom'];
const PRESET_DAYS: Record<Exclude<Preset, 'custom'>, number> = { today: 1, week: 7, month: 30 };

/** The browser's zone: an IANA name, or its current offset where Intl has none. */
export function viewerTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) return zone;
  const offset = -new Date().getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** "YYYY-MM-DD" of a local date. */
function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function presetRange(p: Exclude<Preset, 'custom'>, today = new Date()): { from: string; to: string } {
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (PRESET_DAYS[p] - 1));
  return { from: isoDate(from), to: isoDate(today) };
}

export function formatters(i18n: I18n<AdminKey>) {
  const { locale } = i18n;
  const seconds = new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short' });
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
  const dayLong = new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' });
  const hour = new Intl.DateTimeFormat(locale, { hour: 'numeric' });
  const utcHour = new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' });
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  return {
    /** A duration from the report, or a dash when there is none. */
    wait: (ms: number | null) => (ms === null ? '—' : ms < 5_000 ? seconds.format(Math.round(ms / 1000)) : i18n.duration(ms)),
    count: (n: number | null) => (n === null ? '—' : i18n.number(n)),
    bucket: (iso: string, bucket: 'hour' | 'day') => (bucket === 'hour' ? hour.format(new Date(iso)) : day.format(new Date(iso))),
    bucketLong: (iso: string, bucket: 'hour' | 'day') => (bucket === 'hour' ? i18n.fullTime(iso) : dayLong.format(new Date(iso))),
    /** 0 = Monday (2024-01-01 was one). */
    weekday: (d: number) => weekday.format(Date.UTC(2024, 0, 1 + d)),
    hourOfDay: (h: number) => utcHour.format(Date.UTC(2024, 0, 1, h)),
  };
}
