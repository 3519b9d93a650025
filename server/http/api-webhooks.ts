// Webhooks over HTTP (admins, this service's pages only; API tokens cannot manage them): create
// (the secret answered once), list (never a secret), change (url, events, enabled: true re-enables a
// disabled one), delete, and each one's delivery log. What is delivered: core/webhooks.ts.

import { Router } from 'express';
import { z } from 'zod';
import type { WebhookService } from '../core/webhooks.ts';
import { parse } from '../edge/schemas.ts';
import type { Logger } from '../logger.ts';
import { WEBHOOK_EVENTS, WEBHOOK_URL_MAX, type WebhookEvent } from '../protocol/webhooks.ts';
import type { Store } from '../store/store.ts';
import { ipLiteral, isPublicAddress } from '../webhook/addresses.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';

const DELIVERY_LOG_MAX = 100;

/** An absolute http(s) URL without credentials; with private addresses refused, not a private IP literal. */
function webhookUrl(allowPrivate: boolean) {
  return z
    .string()
    .max(WEBHOOK_URL_MAX)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not a valid URL' });
        return;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'the URL must start with https:// or http://' });
      else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'the URL must not contain credentials' });
      else {
        const literal = ipLiteral(url.hostname);
        if (!allowPrivate && literal !== null && !isPublicAddress(literal)) ctx.addIssue({ code: 'custom', message: 'the URL points at a private or reserved address' });
      }
    });
}

const events = z
  .array(z.enum(WEBHOOK_EVENTS as unknown as [WebhookEvent, ...WebhookEvent[]]))
  .min(1, 'choose at least one event')
  .max(WEBHOOK_EVENTS.length * 2);

export function webhooksRouter(deps: { store: Store; webhooks: WebhookService; logger: Logger; trustProxy: boolean; allowPrivate: boolean }): Router {
  const { store, webhooks, logger, trustProxy } = deps;
  const router = Router();
  const guards = [sameOriginOnly(trustProxy), requireAgent(store, { admin: true })];
  const url = webhookUrl(deps.allowPrivate);
  const createWebhook = z.strictObject({ url, events });
  const patchWebhook = z
    .strictObject({ url, events, enabled: z.boolean() })
    .partial()
    .refine((p) => Object.keys(p).length > 0, 'nothing to change');
  const idOf = (raw: unknown) => String(raw).slice(0, 100);

  router.get('/api/webhooks', ...guards, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ webhooks: await webhooks.list() });
  });

  router.post('/api/webhooks', ...guards, async (req, res) => {
    const input = parse(createWebhook, req.body ?? {});
    const webhook = await webhooks.create(input);
    // The secret is in the answer only, never in a log line.
    logger.info({ event: 'webhook.created', webhookId: webhook.id, events: webhook.events, by: agentOf(res).id }, 'webhook created');
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ webhook });
  });

  router.patch('/api/webhooks/:id', ...guards, async (req, res) => {
    const patch = parse(patchWebhook, req.body ?? {});
    const webhook = await webhooks.update(idOf(req.params.id), patch);
    logger.info({ event: 'webhook.updated', webhookId: webhook.id, fields: Object.keys(patch), enabled: webhook.enabled, by: agentOf(res).id }, 'webhook updated');
    res.json({ webhook });
  });

  router.delete('/api/webhooks/:id', ...guards, async (req, res) => {
    const id = idOf(req.params.id);
    await webhooks.remove(id);
    logger.info({ event: 'webhook.deleted', webhookId: id, by: agentOf(res).id }, 'webhook deleted');
    res.status(204).end();
  });

  router.get('/api/webhooks/:id/deliveries', ...guards, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ deliveries: await webhooks.deliveries(idOf(req.params.id), DELIVERY_LOG_MAX) });
  });

  return router;
}
