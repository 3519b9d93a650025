// The dashboard's satisfaction figure: for the last 7 days or 30 days (in the admin's time zone),
// the CSAT score (good / all ratings) and how many visitors rated good, okay and bad. From
// GET /api/reports/csat; text only.

import { useEffect, useState } from 'preact/hooks';
import type { CsatSummary } from '../../server/protocol/agent-tools.ts';
import { api } from '../lib/api.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';

const DAY = 86_400_000;
const localDate = (t: number) => {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function CsatCard() {
  const { t, number } = useI18n<AdminKey>();
  const [days, setDays] = useState<7 | 30>(7);
  const [summary, setSummary] = useState<CsatSummary | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const now = Date.now();
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const q = new URLSearchParams({ from: localDate(now - (days - 1) * DAY), to: localDate(now), tz });
    setFailed(false);
    api<CsatSummary>('GET', `/api/reports/csat?${q}`)
      .then(setSummary)
      .catch(() => setFailed(true));
  }, [days]);
  return (
    <section class="card csat-card" aria-labelledby="csat-heading">
      <div class="csat-head">
        <h2 id="csat-heading">{t('admin.csat.heading')}</h2>
        <select aria-label={t('admin.csat.period')} value={String(days)} onChange={(e) => setDays(e.currentTarget.value === '30' ? 30 : 7)}>
          <option value="7">{t('admin.csat.last7')}</option>
          <option value="30">{t('admin.csat.last30')}</option>
        </select>
      </div>
      {failed ? (
        <p class="muted">{t('admin.csat.failed')}</p>
      ) : (
        <>
          <p class="csat-score" data-score={summary?.score ?? ''}>
            {summary ? (summary.score === null ? '—' : t('admin.csat.score', { score: summary.score })) : '…'}
          </p>
          <p class="muted">{summary ? t('admin.csat.total', { count: summary.total }) : ''}</p>
          <ul class="csat-counts">
            <li data-rating="good">😊 {t('admin.csat.good', { count: number(summary?.good ?? 0) })}</li>
            <li data-rating="okay">😐 {t('admin.csat.okay', { count: number(summary?.okay ?? 0) })}</li>
            <li data-rating="bad">😞 {t('admin.csat.bad', { count: number(summary?.bad ?? 0) })}</li>
          </ul>
        </>
      )}
    </section>
  );
}
