// Page shells (views/), linking the client bundles built from client/ into dist/
// (static-assets.ts serves those), with the headers that keep them safe: a script-strict CSP on every page, no
// framing of the console, dashboard and login, the chat frameable only by embedders.

import { readFileSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { sessionIsCurrent } from '../core/session-rules.ts';
import type { Store } from '../store/store.ts';
import { LANGUAGES } from '../../i18n/locales.ts';
import { agentLanguage, browserLanguage, type Catalogs, loadCatalogs, type PageLanguage, type Surface, SURFACES, visitorLanguage } from './languages.ts';
import { staticAssets } from './static-assets.ts';

const VIEWS = new URL('../../views/', import.meta.url);

export interface PagesDeps {
  store: Store;
  /** Sites that may frame the widget's chat page (ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** MAX_MESSAGE_LENGTH, told to the composers so they count and refuse as the server does. */
  maxMessageLength: number;
  /** MAX_UPLOAD_BYTES: the composer refuses bigger files before uploading them. */
  maxUploadBytes?: number;
  /** WIDGET_LANGUAGE: every visitor's chat in this language unless the embedding page says otherwise; null follows the browser. */
  widgetLanguage: string | null;
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

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * A view in one language: `{{key}}` replaced by its escaped translation, <html lang dir> set, and the page's
 * messages embedded as JSON for its script (client/lib/i18n.ts reads them; no request, only this language).
 */
function localise(template: string, lang: PageLanguage, messages: Record<string, string>): string {
  let out = '';
  let from = 0;
  for (let at = template.indexOf('{{'); at !== -1; at = template.indexOf('{{', from)) {
    const end = template.indexOf('}}', at);
    if (end === -1) break;
    const key = template.slice(at + 2, end);
    out += template.slice(from, at) + escapeHtml(messages[key] ?? key);
    from = end + 2;
  }
  out += template.slice(from);
  // In a JSON data block only "</script" could end it early: no "<" survives.
  const data = JSON.stringify({ locale: lang.locale, dir: lang.dir, explicit: lang.explicit, messages }).replaceAll('<', '\\u003c');
  return out
    .replace('<html lang="en">', `<html lang="${lang.locale}" dir="${lang.dir}">`)
    .replace('</head>', `  <script type="application/json" id="parley-i18n">${data}</script>\n</head>`);
}

/** Which catalogue files each page's script needs. The demo site (index) is an English sample page. */
const PAGE_SURFACES: Record<string, readonly Surface[]> = {
  index: [],
  chat: ['common', 'widget'],
  login: ['common', 'login'],
  agent: ['common', 'console'],
  admin: ['common', 'admin'],
};

export function pagesRouter(deps: PagesDeps): Router {
  const { store, allowedOrigins, maxMessageLength, widgetLanguage } = deps;
  const maxUploadBytes = deps.maxUploadBytes ?? 10 * 1024 * 1024;
  const router = Router();
  const assets = staticAssets();
  const catalogs: Catalogs = loadCatalogs();
  const templates = new Map<string, string>();
  for (const name of Object.keys(PAGE_SURFACES)) {
    const html = assets.link(readFileSync(new URL(`${name}.html`, VIEWS), 'utf8'));
    // The server's limits, for the client to read before it connects (docs/protocol.md "Page settings").
    templates.set(name, html.replace('</title>', `</title>\n  <meta name="parley:max-message-length" content="${maxMessageLength}">\n  <meta name="parley:max-upload-bytes" content="${maxUploadBytes}">`));
  }
  /** Rendered pages by view and language: at most views × languages × 2 entries. */
  const rendered = new Map<string, string>();
  const view = (name: string, lang: PageLanguage): string => {
    if (name === 'index') return templates.get(name)!;
    const key = `${name}|${lang.locale}|${lang.explicit}`;
    let html = rendered.get(key);
    if (html === undefined) {
      html = localise(templates.get(name)!, lang, catalogs.messages(lang.locale, PAGE_SURFACES[name]));
      rendered.set(key, html);
    }
    return html;
  };
  const page = (name: string, framing: Framing) => (req: Request, res: Response) =>
    sendPage(res, view(name, browserLanguage(req)), framing, allowedOrigins);

  /** The session's agent while the session is still theirs (not disabled, not from before a password change). */
  async function signedInAgent(req: Request) {
    const id = req.session?.agentId;
    const agent = id ? await store.getAgent(id) : null;
    return agent && sessionIsCurrent(agent, req.session.agentEpoch) ? agent : null;
  }

  router.get('/', page('index', 'self'));
  router.get('/chat', (req, res) => {
    res.setHeader('Vary', 'Accept-Language');
    sendPage(res, view('chat', visitorLanguage(req, widgetLanguage)), 'embedders', allowedOrigins);
  });

  router.get('/login', async (req, res) => {
    // Already signed in: straight on (only to the console's own pages, never an open redirect).
    if (await signedInAgent(req)) return res.redirect(303, req.query.next === '/admin' ? '/admin' : '/agent');
    res.setHeader('Vary', 'Accept-Language');
    sendPage(res, view('login', browserLanguage(req)), 'none', allowedOrigins);
  });
  router.get('/agent', async (req, res) => {
    const agent = await signedInAgent(req);
    if (!agent) return res.redirect(303, loginRedirect('/agent'));
    sendPage(res, view('agent', agentLanguage(req, agent.language)), 'none', allowedOrigins);
  });
  router.get('/admin', async (req, res) => {
    const agent = await signedInAgent(req);
    if (!agent) return res.redirect(303, loginRedirect('/admin'));
    if (agent.role !== 'admin') return res.redirect(303, '/agent');
    sendPage(res, view('admin', agentLanguage(req, agent.language)), 'none', allowedOrigins);
  });

  // One catalogue file, English filling its gaps: for a page whose browser prefers another language than the
  // one its shell was rendered in (navigator.languages ≠ Accept-Language), and for translators to inspect.
  router.get('/i18n/:locale/:file', (req, res) => {
    const locale = LANGUAGES.find((l) => l.code === req.params.locale)?.code;
    const surface = SURFACES.find((s) => `${s}.json` === req.params.file);
    if (!locale || !surface) return res.status(404).json({ error: 'not_found', message: 'no such catalogue' });
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(catalogs.messages(locale, [surface]));
  });

  router.use(assets.router);
  return router;
}
