// GET /chat/return?t=… — the link in a follow-up email. A good link makes this browser that
// visitor (a fresh session id holding their identity: a planted cookie never gains it) and opens
// the full-page chat; a tampered or expired one gets a page that says so and changes nothing.

import { Router, type Request, type Response } from 'express';
import { verifyEmailLink } from '../core/email-link.ts';
import { escapeHtml } from '../core/email-render.ts';
import { directionOf } from '../../i18n/locales.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { browserLanguage, type Catalogs } from './languages.ts';

export interface EmailReturnDeps {
  store: Store;
  logger: Logger;
  secret: string;
  catalogs: Catalogs;
  now: () => number;
}

const regenerate = (req: Request) => new Promise<void>((ok, fail) => req.session.regenerate((err) => (err ? fail(err) : ok())));
const save = (req: Request) => new Promise<void>((ok, fail) => req.session.save((err) => (err ? fail(err) : ok())));

export function emailReturnRouter(deps: EmailReturnDeps): Router {
  const { store, logger, catalogs } = deps;
  const router = Router();

  function refuse(res: Response, status: number, locale: string, reason: 'expired' | 'invalid') {
    const m = catalogs.messages(locale, ['email']);
    const title = m[`email.return.${reason}.title`];
    const body = m['email.return.body'];
    res.status(status).set('Cache-Control', 'no-store').type('html').send(
      `<!doctype html><html lang="${escapeHtml(locale)}" dir="${directionOf(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>`
        + `<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5"><h1 style="font-size:1.4rem">${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>`
        + `<p><a href="/chat?lang=${encodeURIComponent(locale)}">${escapeHtml(m['email.return.open'])}</a></p></body></html>`,
    );
  }

  router.get('/chat/return', async (req, res) => {
    // The token is a credential: never sent on as a Referer, never cached.
    res.set('Referrer-Policy', 'no-referrer');
    const result = verifyEmailLink(deps.secret, req.query.t, deps.now());
    if (result.kind === 'invalid') {
      logger.info({ event: 'email.link_refused', reason: 'invalid' }, 'email link refused');
      return refuse(res, 400, browserLanguage(req).locale, 'invalid');
    }
    if (result.kind === 'expired') {
      logger.info({ event: 'email.link_refused', reason: 'expired' }, 'email link refused');
      return refuse(res, 410, browserLanguage(req).locale, 'expired');
    }
    const { visitorId, conversationId, language } = result.claims;
    const [visitor, conversation] = await Promise.all([store.getVisitor(visitorId), store.getConversation(conversationId)]);
    if (!visitor || !conversation || conversation.visitorId !== visitorId) {
      return refuse(res, 400, language ?? browserLanguage(req).locale, 'invalid');
    }
    const { agentId, agentEpoch } = req.session;
    await regenerate(req);
    req.session.visitorId = visitorId;
    // An agent signed in in this browser stays signed in.
    if (agentId !== undefined && agentEpoch !== undefined) {
      req.session.agentId = agentId;
      req.session.agentEpoch = agentEpoch;
    }
    await save(req);
    logger.info({ event: 'email.link_used', visitorId, conversationId }, 'visitor session restored from an email link');
    res.set('Cache-Control', 'no-store').redirect(303, language ? `/chat?lang=${encodeURIComponent(language)}` : '/chat');
  });

  return router;
}
