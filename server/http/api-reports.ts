// Team reports over HTTP (admins, this service's pages only): the summary as JSON and its
// per-agent table as CSV. The figures are server/core/reports.ts's.

import { Router } from 'express';
import { z } from 'zod';
import { reportCsv, reportFileName } from '../core/report-csv.ts';
import type { Reports } from '../core/reports.ts';
import { parse } from '../edge/schemas.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';

const text = (max: number) => z.string().max(max).refine((s) => s.isWellFormed(), 'text is not well-formed Unicode');

/** ?from=&to=&tz=&agentId=&tag= — each once; what the values mean is core/reports.ts's to check. */
const reportQuery = z.object({
  from: text(40).min(1, 'from is required'),
  to: text(40).min(1, 'to is required'),
  tz: text(64).min(1).optional(),
  agentId: text(100).min(1).optional(),
  tag: text(100).min(1).optional(),
});

export function reportsRouter(deps: { store: Store; reports: Reports; logger: Logger; trustProxy: boolean }): Router {
  const { store, reports, logger, trustProxy } = deps;
  const router = Router();
  const guards = [sameOriginOnly(trustProxy), requireAgent(store, { admin: true })];

  router.get('/api/reports/summary', ...guards, async (req, res) => {
    const { report } = await reports.summary(parse(reportQuery, req.query));
    res.setHeader('Cache-Control', 'no-store');
    res.json(report);
  });

  router.get('/api/reports/summary.csv', ...guards, async (req, res) => {
    const { range, report } = await reports.summary(parse(reportQuery, req.query));
    logger.info({ event: 'report.exported', by: agentOf(res).id, from: report.range.from, to: report.range.to }, 'report exported as CSV');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${reportFileName(range)}"`);
    // A byte-order mark: spreadsheets then read the names as UTF-8.
    res.send(`\ufeff${reportCsv(report)}`);
  });

  return router;
}
