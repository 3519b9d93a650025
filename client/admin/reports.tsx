// The dashboard's Reports page (/admin#reports): a range of the viewer's calendar (today, 7 days,
// 30 days or custom dates) and an agent, GET /api/reports/summary in the browser's time zone, and
// what comes back as figures, three charts (volume over time, queue-wait distribution, busiest
// hours; plain SVG from charts.tsx, each with the same figures as a table) and the per-agent
// table (report-table.tsx), which downloads as CSV.

import { MAX_TAG_LENGTH, normalizeTag } from '../../server/protocol/search.ts';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ReportSummary, Spread } from '../../server/protocol/reports.ts';
import type { TeamMember } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { type Band, BarChart, HeatMap } from './charts.tsx';
import { formatters, type Preset, PRESETS, presetRange, viewerTimeZone } from './report-format.ts';
import { AgentTable } from './report-table.tsx';

/** Drawing widths (charts scale to their box): the volume chart spans the page, the other two half of it on wide screens. */
const FULL_WIDTH = 640;
const NARROW_WIDTH = 360;
const HALF_WIDTH = 400;

function useNarrow(): boolean {
  const query = '(max-width: 600px)';
  const [narrow, setNarrow] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const on = () => setNarrow(list.matches);
    list.addEventListener('change', on);
    return () => list.removeEventListener('change', on);
  }, []);
  return narrow;
}

function Stat({ label, value, sub, name }: { label: string; value: string; sub?: string; name: string }) {
  return (
    <div class="stat card" data-stat={name}>
      <p class="stat-label">{label}</p>
      <p class="stat-value">{value}</p>
      {sub && <p class="stat-sub">{sub}</p>}
    </div>
  );
}

function TableAlternative({ children }: { children: ComponentChildren }) {
  const { t } = useI18n<AdminKey>();
  return (
    <details class="chart-table">
      <summary>{t('admin.reports.showTable')}</summary>
      <div class="table-scroll">{children}</div>
    </details>
  );
}

export function ReportsPage({ timeZone = viewerTimeZone() }: { timeZone?: string }) {
  const i18n = useI18n<AdminKey>();
  const { t } = i18n;
  const f = useMemo(() => formatters(i18n), [i18n]);
  const rtl = i18n.dir === 'rtl';
  const narrow = useNarrow();
  const [preset, setPreset] = useState<Preset>('week');
  const [custom, setCustom] = useState(() => presetRange('week'));
  const [agentId, setAgentId] = useState('');
  /** The tag filter (#17) as typed; sent once it is a tag. */
  const [tagText, setTagText] = useState('');
  const tag = tagText.trim() === '' ? null : normalizeTag(tagText);
  const [team, setTeam] = useState<TeamMember[]>([]);
  const [report, setReport] = useState<ReportSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [asked, setAsked] = useState(() => presetRange('week'));

  useEffect(() => {
    api<{ agents: TeamMember[] }>('GET', '/api/agents')
      .then(({ agents }) => setTeam([...agents].sort((a, b) => a.name.localeCompare(b.name))))
      .catch(() => {});
  }, []);

  const query = useMemo(() => {
    const q = new URLSearchParams({ from: asked.from, to: asked.to, tz: timeZone });
    if (agentId) q.set('agentId', agentId);
    if (tag) q.set('tag', tag);
    return q.toString();
  }, [asked, agentId, timeZone, tag]);

  useEffect(() => {
    let current = true;
    setLoading(true);
    api<ReportSummary>('GET', `/api/reports/summary?${query}`)
      .then((r) => current && (setReport(r), setError(null)))
      .catch((err: unknown) => current && setError(err instanceof ApiError && err.code === 'invalid_payload' ? t('admin.reports.error.range') : t('admin.reports.error.load')))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [query]);

  function choose(p: Preset) {
    setPreset(p);
    if (p !== 'custom') setAsked(presetRange(p));
  }

  const totals = report?.totals;
  const spreadSub = (s: Spread | undefined) => (s && s.p90 !== null ? t('admin.reports.p90', { value: f.wait(s.p90) }) : undefined);
  const bucket = report?.range.bucket ?? 'day';
  const every = Math.ceil((report?.series.length ?? 1) / (narrow ? 6 : 12));
  const volume: Band[] = (report?.series ?? []).map((b, i) => ({
    label: i % every === 0 ? f.bucket(b.start, bucket) : '',
    title: `${f.bucketLong(b.start, bucket)}: ${t('admin.reports.bandOpened', { count: b.opened })}, ${t('admin.reports.bandClosed', { count: b.closed })}`,
    bar: b.opened,
    line: b.closed,
  }));
  const waitLabel = (upTo: number | null, i: number, all: Array<{ upToMs: number | null }>) =>
    upTo === null ? t('admin.reports.waits.over', { duration: f.wait(all[i - 1]?.upToMs ?? 0) }) : t('admin.reports.waits.upTo', { duration: f.wait(upTo) });
  const waits: Band[] = (report?.waitHistogram ?? []).map((b, i, all) => ({
    // Under each bar its upper bound alone ("5 min"); the last says "over …".
    label: narrow && i % 2 === 1 ? '' : b.upToMs === null ? waitLabel(null, i, all) : f.wait(b.upToMs),
    title: `${waitLabel(b.upToMs, i, all)}: ${t('admin.reports.bandConversations', { count: b.count })}`,
    bar: b.count,
  }));
  return (
    <div class="reports" aria-busy={loading}>
      <h1 class="page-title">{t('admin.reports.heading')}</h1>
      <section class="card reports-controls" aria-label={t('admin.reports.controls')}>
        <form
          class="reports-form"
          onSubmit={(e) => {
            e.preventDefault();
            setAsked({ ...custom });
          }}
        >
          <div class="field">
            <label for="report-range">{t('admin.reports.range')}</label>
            <select id="report-range" name="range" value={preset} onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value as Preset)}>
              {PRESETS.map((p) => (
                <option key={p} value={p}>
                  {t(`admin.reports.range.${p}`)}
                </option>
              ))}
            </select>
          </div>
          {preset === 'custom' && (
            <>
              <div class="field">
                <label for="report-from">{t('admin.reports.from')}</label>
                <input id="report-from" type="date" name="from" required value={custom.from} onInput={(e) => setCustom({ ...custom, from: (e.currentTarget as HTMLInputElement).value })} />
              </div>
              <div class="field">
                <label for="report-to">{t('admin.reports.to')}</label>
                <input id="report-to" type="date" name="to" required value={custom.to} onInput={(e) => setCustom({ ...custom, to: (e.currentTarget as HTMLInputElement).value })} />
              </div>
              <button type="submit" class="btn btn-primary">
                {t('admin.reports.show')}
              </button>
            </>
          )}
          <div class="field">
            <label for="report-agent">{t('admin.reports.agent')}</label>
            <select id="report-agent" name="agent" value={agentId} onChange={(e) => setAgentId((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t('admin.reports.allAgents')}</option>
              {team.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="report-tag">{t('admin.reports.tag')}</label>
            <input
              id="report-tag"
              type="text"
              name="tag"
              maxLength={MAX_TAG_LENGTH}
              placeholder={t('admin.reports.anyTag')}
              value={tagText}
              aria-invalid={tag === null && tagText.trim() !== '' ? 'true' : undefined}
              onChange={(e) => setTagText((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
        </form>
        {tag === null && tagText.trim() !== '' && (
          <p class="form-message form-error" role="alert">
            {t('admin.reports.tagInvalid')}
          </p>
        )}
        <p class="card-hint reports-zone">{t('admin.reports.timeZone', { zone: report?.range.timeZone ?? timeZone })}</p>
        {error && (
          <p class="form-message form-error" role="alert">
            {error}
          </p>
        )}
      </section>

      <div class="stats reports-stats">
        <Stat name="opened" label={t('admin.reports.stat.opened')} value={f.count(totals?.opened ?? null)} />
        <Stat name="claimed" label={t('admin.reports.stat.claimed')} value={f.count(totals?.claimed ?? null)} />
        <Stat name="closed" label={t('admin.reports.stat.closed')} value={f.count(totals?.closed ?? null)} />
        <Stat name="missed" label={t('admin.reports.stat.missed')} value={f.count(totals?.missed ?? null)} />
        <Stat name="queueWait" label={t('admin.reports.stat.queueWait')} value={f.wait(totals?.queueWait.median ?? null)} sub={spreadSub(totals?.queueWait)} />
        <Stat name="firstResponse" label={t('admin.reports.stat.firstResponse')} value={f.wait(totals?.firstResponse.median ?? null)} sub={spreadSub(totals?.firstResponse)} />
        <Stat name="duration" label={t('admin.reports.stat.duration')} value={f.wait(totals?.duration.median ?? null)} sub={spreadSub(totals?.duration)} />
        <Stat name="messages" label={t('admin.reports.stat.messages')} value={totals?.messages.mean == null ? '—' : i18n.number(totals.messages.mean)} />
        <Stat
          name="csat"
          label={t('admin.reports.stat.csat')}
          value={report?.csat.score == null ? '—' : t('admin.csat.score', { score: report.csat.score })}
          sub={report ? t('admin.csat.total', { count: report.csat.total }) : undefined}
        />
      </div>

      {report && (
        <>
          <section class="card" aria-labelledby="volume-heading">
            <h2 id="volume-heading">{t('admin.reports.volume.heading')}</h2>
            <BarChart
              id="volume"
              width={narrow ? NARROW_WIDTH : FULL_WIDTH}
              title={t('admin.reports.volume.heading')}
              desc={t('admin.reports.volume.desc', { bucket })}
              bands={volume}
              rtl={rtl}
              format={i18n.number}
              legend={
                <>
                  <span class="legend-bar" aria-hidden="true" /> {t('admin.reports.stat.opened')} <span class="legend-line" aria-hidden="true" /> {t('admin.reports.stat.closed')}
                </>
              }
            />
            <TableAlternative>
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.reports.col.time')}</th>
                    <th scope="col">{t('admin.reports.stat.opened')}</th>
                    <th scope="col">{t('admin.reports.stat.claimed')}</th>
                    <th scope="col">{t('admin.reports.stat.closed')}</th>
                    <th scope="col">{t('admin.reports.stat.missed')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.series.map((b) => (
                    <tr key={b.start}>
                      <th scope="row">{f.bucketLong(b.start, bucket)}</th>
                      <td>{i18n.number(b.opened)}</td>
                      <td>{i18n.number(b.claimed)}</td>
                      <td>{i18n.number(b.closed)}</td>
                      <td>{i18n.number(b.missed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableAlternative>
          </section>

          <div class="columns reports-columns">
            <section class="card" aria-labelledby="waits-heading">
              <h2 id="waits-heading">{t('admin.reports.waits.heading')}</h2>
              <BarChart id="waits" width={narrow ? NARROW_WIDTH : HALF_WIDTH} title={t('admin.reports.waits.heading')} desc={t('admin.reports.waits.desc')} bands={waits} rtl={rtl} format={i18n.number} />
              <TableAlternative>
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.reports.col.wait')}</th>
                      <th scope="col">{t('admin.reports.col.conversations')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.waitHistogram.map((b, i, all) => (
                      <tr key={i}>
                        <th scope="row">{waitLabel(b.upToMs, i, all)}</th>
                        <td>{i18n.number(b.count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableAlternative>
            </section>

            <section class="card" aria-labelledby="heat-heading">
              <h2 id="heat-heading">{t('admin.reports.heatmap.heading')}</h2>
              <HeatMap
                id="heatmap"
                width={narrow ? NARROW_WIDTH : HALF_WIDTH}
                title={t('admin.reports.heatmap.heading')}
                desc={t('admin.reports.heatmap.desc')}
                cells={report.heatmap}
                rowLabels={report.heatmap.map((_, d) => f.weekday(d))}
                hourLabels={Array.from({ length: 24 }, (_, h) => (h % 6 === 0 ? f.hourOfDay(h) : ''))}
                rtl={rtl}
                cellTitle={(d, h, count) => t('admin.reports.heatmap.cell', { weekday: f.weekday(d), hour: f.hourOfDay(h), count })}
              />
              <TableAlternative>
                <table class="table heat-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.reports.col.weekday')}</th>
                      {Array.from({ length: 24 }, (_, h) => (
                        <th scope="col" key={h}>
                          {f.hourOfDay(h)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {report.heatmap.map((row, d) => (
                      <tr key={d}>
                        <th scope="row">{f.weekday(d)}</th>
                        {row.map((n, h) => (
                          <td key={h}>{i18n.number(n)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableAlternative>
            </section>
          </div>

          <AgentTable report={report} csvHref={`/api/reports/summary.csv?${query}`} />
        </>
      )}
    </div>
  );
}
