// The Reports page's per-agent table (every account, or the one chosen, then the totals) and
// its CSV download (the same query as the page's report, /api/reports/summary.csv).

import type { ReportFigures, ReportSummary } from '../../server/protocol/reports.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { formatters } from './report-format.ts';

export function AgentTable({ report, csvHref }: { report: ReportSummary; csvHref: string }) {
  const i18n = useI18n<AdminKey>();
  const { t } = i18n;
  const f = formatters(i18n);
  const name = (n: string | null) => n ?? t('admin.reports.removedAgent');

  const columns: Array<[AdminKey, (x: ReportFigures) => string]> = [
    ['admin.reports.stat.opened', (x) => f.count(x.opened)],
    ['admin.reports.stat.claimed', (x) => f.count(x.claimed)],
    ['admin.reports.stat.closed', (x) => f.count(x.closed)],
    ['admin.reports.stat.missed', (x) => f.count(x.missed)],
    ['admin.reports.col.waitMedian', (x) => f.wait(x.queueWait.median)],
    ['admin.reports.col.waitP90', (x) => f.wait(x.queueWait.p90)],
    ['admin.reports.col.responseMedian', (x) => f.wait(x.firstResponse.median)],
    ['admin.reports.col.responseP90', (x) => f.wait(x.firstResponse.p90)],
    ['admin.reports.col.durationMedian', (x) => f.wait(x.duration.median)],
    ['admin.reports.stat.messages', (x) => (x.messages.mean === null ? '—' : i18n.number(x.messages.mean))],
  ];
  return (
    <section class="card" aria-labelledby="by-agent-heading">
      <div class="card-head">
        <h2 id="by-agent-heading">{t('admin.reports.byAgent')}</h2>
        <a class="btn btn-small" href={csvHref} download data-csv>
          {t('admin.reports.csv')}
        </a>
      </div>
      <table class="table table-stack reports-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.reports.agent')}</th>
            {columns.map(([key]) => (
              <th scope="col" key={key}>
                {t(key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.agents.map((a) => (
            <tr key={a.agentId} data-agent={a.agentId}>
              <th scope="row" data-label={t('admin.reports.agent')}>
                {name(a.name)}
              </th>
              {columns.map(([key, value]) => (
                <td key={key} data-label={t(key)}>
                  {value(a)}
                </td>
              ))}
            </tr>
          ))}
          {report.range.agentId === null && (
            <tr class="reports-total" data-agent="">
              <th scope="row" data-label={t('admin.reports.agent')}>
                {t('admin.reports.allAgents')}
              </th>
              {columns.map(([key, value]) => (
                <td key={key} data-label={t(key)}>
                  {value(report.totals)}
                </td>
              ))}
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
