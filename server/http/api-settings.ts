// The team settings over HTTP (admins, this service's pages only): read them all, change some.
// What each value may be is core/team-settings.ts's; a change reaches every node.

import { Router } from 'express';
import { z } from 'zod';
import { scheduleProblem } from '../core/business-hours.ts';
import type { BusinessHours } from '../protocol/business-hours.ts';
import { SETTING_RULES, type TeamSettings } from '../core/team-settings.ts';
import { parse } from '../edge/schemas.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';

const int = (rule: { min: number; max: number }) => z.number().int().min(rule.min).max(rule.max);

/** A schedule (core/business-hours.ts says what is wrong with one), or null: always open. */
const schedule = z.custom<BusinessHours | null>().superRefine((value, ctx) => {
  const problem = value === null ? null : scheduleProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** A partial change: only the settings given are written; at least one. */
const settingsPatch = z
  .strictObject({
    routingMode: z.enum(SETTING_RULES.routingMode.values),
    defaultCapacity: int(SETTING_RULES.defaultCapacity),
    offlineRequeueMs: int(SETTING_RULES.offlineRequeueMs),
    awayAfterMs: int(SETTING_RULES.awayAfterMs),
    businessHours: schedule,
    emailFollowUpDelayMs: int(SETTING_RULES.emailFollowUpDelayMs),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'at least one setting is required');

export function settingsRouter(deps: {
  store: Store;
  settings: TeamSettings;
  logger: Logger;
  trustProxy: boolean;
  changed: () => void;
  /** Whether this service sends email (SMTP_URL) and from whom: shown beside the follow-up delay, never changed here. */
  email: { enabled: boolean; from: string };
}): Router {
  const { store, settings, logger, trustProxy } = deps;
  const router = Router();
  const guards = [sameOriginOnly(trustProxy), requireAgent(store, { admin: true })];

  router.get('/api/settings', ...guards, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ settings: await settings.reload(), email: deps.email });
  });

  router.put('/api/settings', ...guards, async (req, res) => {
    const patch = parse(settingsPatch, req.body ?? {});
    const values = await settings.update(patch);
    deps.changed();
    logger.info({ event: 'settings.updated', by: agentOf(res).id, fields: Object.keys(patch) }, 'team settings updated');
    res.json({ settings: values });
  });

  return router;
}
