// The Settings page's business-hours card: on/off (off = always open), the time zone, one or more
// opening intervals per weekday, holidays. A draft the page turns into the `businessHours` setting
// (docs/protocol.md, "Business hours"); the server checks it again.

import { type BusinessHours, type HoursInterval, HOURS_LIMITS, WEEKDAYS, type Weekday } from '../../server/protocol/business-hours.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';

type Interval = HoursInterval;

/** What the card edits: `to` as the time field shows it ("00:00" = the end of the day, saved as "24:00"). */
export interface HoursDraft {
  enabled: boolean;
  timeZone: string;
  weekly: Record<Weekday, Interval[]>;
  holidays: string[];
}

const MAX_INTERVALS = HOURS_LIMITS.intervalsPerDay;
const MAX_HOLIDAYS = HOURS_LIMITS.holidays;

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function draftOf(hours: BusinessHours | null): HoursDraft {
  if (hours === null) {
    const nine: Interval[] = [{ from: '09:00', to: '17:00' }];
    return { enabled: false, timeZone: browserZone(), weekly: { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine, sat: [], sun: [] }, holidays: [] };
  }
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, hours.weekly[d].map((i) => ({ from: i.from, to: i.to === '24:00' ? '00:00' : i.to }))])) as HoursDraft['weekly'];
  return { enabled: true, timeZone: hours.timeZone, weekly, holidays: [...hours.holidays] };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const isTime = (s: string) => s.length === 5 && s[2] === ':' && Number.isInteger(minutes(s));

/** Per weekday, what is wrong with its intervals (an end not after its start, overlapping hours). */
export function dayProblems(draft: HoursDraft): Partial<Record<Weekday, 'order' | 'overlap'>> {
  const out: Partial<Record<Weekday, 'order' | 'overlap'>> = {};
  for (const d of WEEKDAYS) {
    const spans = draft.weekly[d].map((i) => [minutes(i.from), i.to === '00:00' ? 1440 : minutes(i.to)] as const);
    if (draft.weekly[d].some((i) => !isTime(i.from) || !isTime(i.to)) || spans.some(([a, b]) => !(b > a))) {
      out[d] = 'order';
      continue;
    }
    const sorted = [...spans].sort((a, b) => a[0] - b[0]);
    if (sorted.some((s, i) => i > 0 && s[0] < sorted[i - 1][1])) out[d] = 'overlap';
  }
  return out;
}

/** The setting the draft stands for (null: always open). */
export function hoursOf(draft: HoursDraft): BusinessHours | null {
  if (!draft.enabled) return null;
  const weekly = Object.fromEntries(
    WEEKDAYS.map((d) => [d, [...draft.weekly[d]].sort((a, b) => minutes(a.from) - minutes(b.from)).map((i) => ({ from: i.from, to: i.to === '00:00' ? '24:00' : i.to }))]),
  ) as BusinessHours['weekly'];
  return { timeZone: draft.timeZone, weekly, holidays: [...draft.holidays].sort() };
}

/** Weekday names in the page's language (2024-01-01 was a Monday). */
function weekdayNames(locale: string): Record<Weekday, string> {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
  return Object.fromEntries(WEEKDAYS.map((d, i) => [d, format.format(Date.UTC(2024, 0, 1 + i))])) as Record<Weekday, string>;
}

function zones(current: string): string[] {
  let list: string[] = [];
  try {
    list = Intl.supportedValuesOf('timeZone');
  } catch {
    list = [];
  }
  return list.includes(current) ? list : [current, ...list];
}

export function BusinessHoursCard(props: { draft: HoursDraft; onChange(draft: HoursDraft): void; newHoliday: string; onNewHoliday(date: string): void }) {
  const { t, locale } = useI18n<AdminKey>();
  const { draft, onChange } = props;
  const names = weekdayNames(locale);
  const problems = dayProblems(draft);
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' });
  const dateText = (iso: string) => {
    const ms = Date.parse(`${iso}T00:00:00Z`);
    return Number.isNaN(ms) ? iso : dateFormat.format(ms);
  };
  const setDay = (d: Weekday, list: Interval[]) => onChange({ ...draft, weekly: { ...draft.weekly, [d]: list } });
  const validNewHoliday = /^\d{4}-\d{2}-\d{2}$/.test(props.newHoliday) && !Number.isNaN(Date.parse(`${props.newHoliday}T00:00:00Z`));

  return (
    <section class="card hours" aria-labelledby="hours-heading">
      <h2 id="hours-heading">{t('admin.settings.hours.heading')}</h2>
      <p class="card-hint">{t('admin.settings.hours.hint')}</p>
      <label class="choice">
        <input type="checkbox" id="hours-enabled" checked={draft.enabled} onChange={(e) => onChange({ ...draft, enabled: e.currentTarget.checked })} />
        <span>
          <strong>{t('admin.settings.hours.enabled')}</strong>
          <span class="choice-hint">{t('admin.settings.hours.enabledHint')}</span>
        </span>
      </label>
      {draft.enabled && (
        <div class="hours-body">
          <div class="field">
            <label for="hours-zone">{t('admin.settings.hours.timeZone')}</label>
            <select id="hours-zone" value={draft.timeZone} onChange={(e) => onChange({ ...draft, timeZone: e.currentTarget.value })}>
              {zones(draft.timeZone).map((z) => (
                <option key={z} value={z}>
                  {z.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </div>
          <p class="field-hint">{t('admin.settings.hours.midnight')}</p>
          <ul class="hours-days">
            {WEEKDAYS.map((d) => (
              <li class="hours-day" key={d} data-day={d}>
                <span class="hours-day-name">{names[d]}</span>
                <div class="hours-intervals">
                  {draft.weekly[d].length === 0 && <span class="hours-closed">{t('admin.settings.hours.closed')}</span>}
                  {draft.weekly[d].map((interval, i) => (
                    <div class="hours-interval" key={i}>
                      <input
                        type="time"
                        value={interval.from}
                        aria-label={t('admin.settings.hours.opensOn', { day: names[d] })}
                        aria-invalid={problems[d] !== undefined}
                        onInput={(e) => setDay(d, draft.weekly[d].map((x, j) => (j === i ? { ...x, from: e.currentTarget.value } : x)))}
                      />
                      <span aria-hidden="true">–</span>
                      <input
                        type="time"
                        value={interval.to}
                        aria-label={t('admin.settings.hours.closesOn', { day: names[d] })}
                        aria-invalid={problems[d] !== undefined}
                        onInput={(e) => setDay(d, draft.weekly[d].map((x, j) => (j === i ? { ...x, to: e.currentTarget.value } : x)))}
                      />
                      <button
                        type="button"
                        class="btn btn-small"
                        aria-label={t('admin.settings.hours.removeOn', { day: names[d] })}
                        onClick={() => setDay(d, draft.weekly[d].filter((_, j) => j !== i))}
                      >
                        {t('admin.settings.hours.remove')}
                      </button>
                    </div>
                  ))}
                  {problems[d] && <p class="field-problem">{t(problems[d] === 'order' ? 'admin.settings.hours.order' : 'admin.settings.hours.overlap')}</p>}
                </div>
                <button
                  type="button"
                  class="btn btn-small hours-add"
                  disabled={draft.weekly[d].length >= MAX_INTERVALS}
                  aria-label={t('admin.settings.hours.addOn', { day: names[d] })}
                  onClick={() => {
                    const last = draft.weekly[d].at(-1);
                    setDay(d, [...draft.weekly[d], last ? { from: last.to, to: '00:00' } : { from: '09:00', to: '17:00' }]);
                  }}
                >
                  {t('admin.settings.hours.add')}
                </button>
              </li>
            ))}
          </ul>
          <h3 class="hours-subheading">{t('admin.settings.hours.holidays')}</h3>
          {draft.holidays.length === 0 ? (
            <p class="card-hint">{t('admin.settings.hours.noHolidays')}</p>
          ) : (
            <ul class="hours-holidays">
              {[...draft.holidays].sort().map((date) => (
                <li key={date}>
                  <span>{dateText(date)}</span>
                  <button type="button" class="btn btn-small" aria-label={t('admin.settings.hours.holidayRemove', { date: dateText(date) })} onClick={() => onChange({ ...draft, holidays: draft.holidays.filter((h) => h !== date) })}>
                    {t('admin.settings.hours.remove')}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div class="hours-holiday-add">
            <label for="holiday-date" class="sr-only">
              {t('admin.settings.hours.holidayDate')}
            </label>
            <input id="holiday-date" type="date" value={props.newHoliday} onInput={(e) => props.onNewHoliday(e.currentTarget.value)} />
            <button
              type="button"
              class="btn btn-small"
              disabled={!validNewHoliday || draft.holidays.includes(props.newHoliday) || draft.holidays.length >= MAX_HOLIDAYS}
              onClick={() => {
                onChange({ ...draft, holidays: [...draft.holidays, props.newHoliday] });
                props.onNewHoliday('');
              }}
            >
              {t('admin.settings.hours.holidayAdd')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
