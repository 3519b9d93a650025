// The per-agent table of a report as CSV, safe to open in a spreadsheet.

import type { ReportFigures, ReportSummary } from '../protocol/reports.ts';
import type { ReportRangeResolved } from './report-range.ts';

/**
 * One CSV cell. Text a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return that some strip first) gets a leading apostrophe, and any cell with a quote,
 * comma or line break is quoted (RFC 4180).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

export const CSV_COLUMNS = [
  'agent',
  'agent_id',
  'opened',
  'claimed',
  'closed',
  'missed',
  'queue_wait_median_s',
  'queue_wait_p90_s',
  'first_response_median_s',
  'first_response_p90_s',
  'duration_median_s',
  'duration_p90_s',
  'messages_per_conversation_mean',
] as const;

function csvRow(name: string | null, agentId: string, f: ReportFigures): string {
  return [
    name,
    agentId,
    f.opened,
    f.claimed,
    f.closed,
    f.missed,
    seconds(f.queueWait.median),
    seconds(f.queueWait.p90),
    seconds(f.firstResponse.median),
    seconds(f.firstResponse.p90),
    seconds(f.duration.median),
    seconds(f.duration.p90),
    f.messages.mean,
  ]
    .map((v, i) => (i < 2 ? csvCell(v) : csvCell(v === null ? null : Number(v))))
    .join(',');
}

/** The report's table as CSV (header, one line per agent, then the total): CRLF lines. */
export function reportCsv(report: ReportSummary): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const a of report.agents) lines.push(csvRow(a.name, a.agentId, a));
  if (report.range.agentId === null) lines.push(csvRow('(all)', '', report.totals));
  return `${lines.join('\r\n')}\r\n`;
}

/** The CSV file's name: only digits and dashes from the resolved range. */
export function reportFileName(r: ReportRangeResolved): string {
  return `parley-report-${r.firstDay}-to-${r.lastDay}.csv`;
}
