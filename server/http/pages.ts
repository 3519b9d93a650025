// Page shells (views/), linking the client bundles built from client/ into dist/
// (static-assets.ts serves those), with the headers that keep them safe: a script-strict CSP on every page, no
// framing of the console, dashboard and login, the chat frameable only by embedders.

import { readFileSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import type { Store } from '../store/store.ts';
import { staticAssets } from './static-assets.ts';

const VIEWS = new URL('../../views/', import.meta.url);

export interface PagesDeps {
  store: Store;
  /** Sites that may frame the widget's chat page (ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** MAX_MESSAGE_LENGTH, told to the composers so they count and refuse as the server does. */
  maxMessageLength: number;
}

type Framing = 'none' | 'self' | 'embedders';

/** The CSP for one page. No 'unsafe-inline' anywhere: every script and style is a file of ours. */
function contentSecurityPolicy(framing: Framing, allowedOrigins: readonly string[]): string {
  const ancestors = framing === 'none' ? "'none'" : framing === 'self' ? "'self'" : ["'self'", ...allowedOrigins].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    // 'self' covers ws:/wss: to the same host in CSP 3 browsers.
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

function sendPage(res: Response, html: string, framing: Framing, allowedOrigins: readonly string[]): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(framing, allowedOrigins));
  // Older browsers ignore frame-ancestors; X-Frame-Options has no allow-list, so only for 'none'.
  if (framing === 'none') res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(html);
}

/** The login page sends the agent back here afterwards (it accepts only its own paths: no open redirect). */
function loginRedirect(target: string): string {
  return `/login?next=${encodeURIComponent(target)}`;
}

export function pagesRouter(deps: PagesDeps): Router {
  const { store, allowedOrigins, maxMessageLength } = deps;
  const router = Router();
  const assets = staticAssets();
  const views = new Map<string, string>();
  for (const name of ['index', 'chat', 'login', 'agent', 'admin']) {
    const html = assets.link(readFileSync(new URL(`${name}.html`, VIEWS), 'utf8'));
    // The server's limits, for the client to read before it connects (docs/protocol.md "Page settings").
    views.set(name, html.replace('</title>', `</title>\n  <meta name="parley:max-message-length" content="${maxMessageLength}">`));
  }
  const page = (name: string, framing: Framing) => (_req: Request, res: Response) =>
    sendPage(res, views.get(name)!, framing, allowedOrigins);

  async function signedInAgent(req: Request) {
    const id = req.session?.agentId;
    return id ? store.getAgent(id) : null;
  }

  router.get('/', page('index', 'self'));
  router.get('/chat', page('chat', 'embedders'));

  router.get('/login', async (req, res) => {
    // Already signed in: straight on (only to the console's own pages, never an open redirect).
    if (await signedInAgent(req)) return res.redirect(303, req.query.next === '/admin' ? '/admin' : '/agent');
    sendPage(res, views.get('login')!, 'none', allowedOrigins);
  });
  router.get('/agent', async (req, res) => {
    if (!(await signedInAgent(req))) return res.redirect(303, loginRedirect('/agent'));
    sendPage(res, views.get('agent')!, 'none', allowedOrigins);
  });
  router.get('/admin', async (req, res) => {
    const agent = await signedInAgent(req);
    if (!agent) return res.redirect(303, loginRedirect('/admin'));
    if (agent.role !== 'admin') return res.redirect(303, '/agent');
    sendPage(res, views.get('admin')!, 'none', allowedOrigins);
  });

  router.use(assets.router);
  return router;
}
