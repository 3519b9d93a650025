// widget.js — the one-tag embed loader for host sites. Adds a launcher and a
// panel holding Parley's chat page in an iframe, inside a shadow root so the
// host's CSS and scripts and ours cannot touch each other. Kept tiny (< 5 KB gz).
// Talks to the chat in the frame only through embed-protocol.ts's messages.
// Its few words (launcher, close, unread) are needed before the frame exists, so
// every language's loader.json is bundled here (a few hundred bytes gzipped).

import { createFormatter } from '../../i18n/format.ts';
import { directionOf, matchLanguage, negotiate } from '../../i18n/locales.ts';
import ar from '../../i18n/ar/loader.json' with { type: 'json' };
import de from '../../i18n/de/loader.json' with { type: 'json' };
import en from '../../i18n/en/loader.json' with { type: 'json' };
import es from '../../i18n/es/loader.json' with { type: 'json' };
import fr from '../../i18n/fr/loader.json' with { type: 'json' };
import ja from '../../i18n/ja/loader.json' with { type: 'json' };
import ptBR from '../../i18n/pt-BR/loader.json' with { type: 'json' };
import ru from '../../i18n/ru/loader.json' with { type: 'json' };
import zhCN from '../../i18n/zh-CN/loader.json' with { type: 'json' };
import { type Attributes, type Identity, parseToHost, type ToChat } from './embed-protocol.ts';

type LoaderMessages = typeof en;
/** Every shipped language (i18n/locales.ts LANGUAGES): the compiler checks each file has English's keys. */
const CATALOGUES: Record<string, LoaderMessages> = { en, 'zh-CN': zhCN, es, de, fr, 'pt-BR': ptBR, ja, ru, ar };

const CSS = `
:host{all:initial}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border:0;border-radius:50%;
background:#4f46e5;color:#fff;cursor:pointer;display:grid;place-items:center;box-shadow:0 6px 24px rgba(30,27,75,.35);
transition:transform .15s ease,background .15s ease;padding:0}
.launcher:hover{transform:scale(1.06);background:#4338ca}
.launcher:focus-visible{outline:3px solid #a5b4fc;outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:currentColor}
.hide .launcher{display:none}.launcher .x{display:none}.open .launcher .x{display:block}.open .launcher .bubble{display:none}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;box-sizing:border-box;border-radius:11px;
background:#ef4444;color:#fff;font:700 12px/22px system-ui,sans-serif;text-align:center;border:2px solid #fff}
.badge[hidden]{display:none}
.panel{position:fixed;right:20px;bottom:92px;z-index:2147483000;width:380px;height:min(660px,calc(100vh - 112px));
border-radius:16px;overflow:hidden;background:#fff;box-shadow:0 16px 56px rgba(15,23,42,.22);
opacity:0;visibility:hidden;transform:translateY(12px) scale(.98);transform-origin:bottom right;
transition:opacity .18s ease,transform .18s ease,visibility 0s linear .18s}
.open .panel{opacity:1;visibility:visible;transform:none;transition:opacity .18s ease,transform .18s ease}
.rtl .launcher,.rtl .panel{right:auto;left:20px}.rtl .panel{transform-origin:bottom left}.rtl .badge{right:auto;left:-3px}
iframe{display:block;width:100%;height:100%;border:0;color-scheme:normal}
@media (max-width:480px){.open .panel{inset:0;width:100%;height:100%;border-radius:0}.open .launcher{display:none}}
@media (prefers-reduced-motion:reduce){.panel,.launcher{transition:none}}
`;

const BUBBLE = 'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM6 9h12v2H6V9zm8 5H6v-2h8v2zm4-6H6V6h12v2z';
const CLOSE = 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z';
const STARTED = 'parley:started';
type Listener = (data?: unknown) => void;
type Api = Record<string, (...args: never[]) => unknown> & { q?: unknown };

function svg(path: string, cls: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const el = document.createElementNS(ns, 'svg');
  el.setAttribute('viewBox', '0 0 24 24');
  el.setAttribute('aria-hidden', 'true');
  el.setAttribute('class', cls);
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  el.appendChild(p);
  return el;
}

function storage(write?: boolean | null): boolean {
  try {
    if (write === null) localStorage.removeItem(STARTED);
    if (write) localStorage.setItem(STARTED, '1');
    return localStorage.getItem(STARTED) === '1';
  } catch {
    return false;
  }
}

/** The loader's words in one language, and its direction (the launcher and panel sit on the left in RTL). */
function speaker(locale: string) {
  const messages = CATALOGUES[locale] ?? en;
  const formatter = createFormatter(locale);
  return {
    locale,
    rtl: directionOf(locale) === 'rtl',
    t: (key: keyof LoaderMessages, count = 0) => formatter.format(messages[key], { count }),
    number: formatter.number,
  };
}

function mount(script: HTMLScriptElement | null) {
  const src = new URL(script?.src || '/widget.js', location.href);
  const origin = src.origin;
  const chat = new URL('/chat', origin);
  chat.searchParams.set('embed', '1');
  // data-lang on the tag: the host site's choice, for the loader and (as ?lang=) for the chat. Else the browser's,
  // until the chat reports the language it chose (the admin's WIDGET_LANGUAGE, say): then that one.
  const asked = matchLanguage(script?.dataset.lang ?? '');
  if (asked) chat.searchParams.set('lang', asked);
  let words = speaker(asked ?? negotiate(navigator.languages ?? [navigator.language]));
  if ((src.searchParams.get('transport') ?? script?.dataset.transport) === 'polling') chat.searchParams.set('transport', 'polling');

  const host = document.createElement('parley-widget');
  const root = host.attachShadow({ mode: 'open' });
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    // Constructed sheets work under a host page's strict style-src CSP.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
  }
  const wrap = document.createElement('div');
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'parley-panel');
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  launcher.append(svg(BUBBLE, 'bubble'), svg(CLOSE, 'x'), badge);
  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'parley-panel';
  panel.setAttribute('role', 'dialog');
  wrap.append(panel, launcher);
  root.appendChild(wrap);

  let frame: HTMLIFrameElement | null = null;
  /** The frame's document has loaded: messages posted now arrive (before, they would go to about:blank). */
  let loaded = false;
  let open = false;
  let hidden = false;
  let unread = 0;
  let ready = false;
  /** What the host page said, kept to tell every (re)load of the frame. */
  let identity: Identity | null = null;
  let attributes: Attributes = {};
  let resetting = false;
  const listeners = new Map<string, Set<Listener>>();
  // Each listener on its own task: one that throws neither stops the others nor the loader.
  const emit = (event: string, data?: unknown) => listeners.get(event)?.forEach((fn) => setTimeout(fn, 0, data));
  // Only ever to the chat's exact origin: identities and attributes are never sent with '*'.
  const post = (message: ToChat) => loaded && frame?.contentWindow?.postMessage(message, origin);
  /** Everything the loader says, in the current language. */
  const render = (_?: unknown) => {
    wrap.className = `${open ? 'open' : ''}${hidden ? ' hide' : ''}${words.rtl ? ' rtl' : ''}`;
    // Screen readers read the labels in their language.
    wrap.lang = words.locale;
    launcher.setAttribute('aria-label', words.t(open ? 'loader.close' : unread ? 'loader.openUnread' : 'loader.open', unread));
    panel.setAttribute('aria-label', words.t('loader.panel'));
    if (frame) frame.title = words.t('loader.frameTitle');
    badge.textContent = unread > 9 ? `${words.number(9)}+` : words.number(unread);
    badge.hidden = unread === 0;
  };

  function load() {
    if (frame) return;
    frame = document.createElement('iframe');
    frame.title = words.t('loader.frameTitle');
    frame.src = chat.href;
    frame.addEventListener('load', () => {
      loaded = true;
      post({ type: 'parley:init', open, url: location.href, title: document.title });
      if (resetting) post({ type: 'parley:reset' });
      resetting = false;
      if (identity) post({ type: 'parley:identify', identity });
      if (Object.keys(attributes).length) post({ type: 'parley:attributes', attributes });
    });
    panel.appendChild(frame);
  }

  function setOpen(next: boolean, fromLauncher = true) {
    const changed = next !== open;
    open = next;
    load();
    launcher.setAttribute('aria-expanded', String(open));
    render();
    post({ type: 'parley:open', open });
    if (open) {
      storage(true);
      frame!.focus();
    } else if (fromLauncher) launcher.focus();
    if (changed) emit(open ? 'open' : 'close');
  }

  launcher.addEventListener('click', () => setOpen(!open));
  // Warm up on intent, so the panel is ready when the click lands.
  launcher.addEventListener('pointerenter', load, { once: true });
  launcher.addEventListener('focus', load, { once: true });
  window.addEventListener('message', (event) => {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    const message = parseToHost(event.data);
    if (message?.type === 'parley:close') setOpen(false);
    if (message?.type === 'parley:unread' && message.count !== unread) {
      unread = message.count;
      render();
      emit('unread', unread);
    }
    if (message?.type === 'parley:ready') {
      words = speaker(matchLanguage(message.locale) ?? 'en');
      render();
      if (!ready) emit('ready');
      ready = true;
    }
    if (message?.type === 'parley:message') emit('message', { from: message.from, body: message.body });
  });

  // window.Parley (docs/embedding.md): the host page's handle. Calls made before this script ran
  // were queued by the snippet's stub (Parley.q) and are replayed in order.
  const api: Api = {
    open: () => setOpen(true, false),
    close: () => setOpen(false, false),
    toggle: () => setOpen(!open, false),
    hide: () => render((hidden = true)),
    show: () => render((hidden = false)),
    identify(input: Identity) {
      // Only the four fields (a host object may hold what postMessage cannot copy); the frame checks them.
      const { userId, name, email, hash } = input ?? {};
      identity = { userId, name, email, hash };
      load();
      post({ type: 'parley:identify', identity });
    },
    setAttributes(input: Attributes) {
      // Merged with what was set before; the frame checks the whole set (a bad one is dropped there).
      attributes = { ...attributes, ...input };
      // No load() here: a page that sets attributes on every view must not start a chat for every visitor.
      post({ type: 'parley:attributes', attributes });
    },
    on: (event: string, fn: Listener) => void listeners.set(event, (listeners.get(event) ?? new Set()).add(fn)),
    off: (event: string, fn: Listener) => void listeners.get(event)?.delete(fn),
    unreadCount: () => unread,
    reset() {
      identity = null;
      attributes = {};
      unread = 0;
      storage(null);
      if (open) setOpen(false, false);
      render();
      emit('unread', 0);
      if (!frame) return;
      // The frame forgets its visitor and reloads; its load tells it what the page says next.
      if (loaded) post({ type: 'parley:reset' });
      else resetting = true;
      loaded = false;
    },
  };
  const w = window as Window & { Parley?: Api };
  const queued = w.Parley?.q;
  w.Parley = api;
  render();
  document.body.appendChild(host);
  if (Array.isArray(queued)) for (const [name, args] of queued.slice(0, 100) as Array<[string, never[]]>) api[name]?.(...Array.from(args ?? []));
  // A visitor who has chatted before gets the conversation (and its unread badge) on every page.
  if (storage()) load();
}

(() => {
  const w = window as Window & { __parleyWidget?: boolean };
  if (w.__parleyWidget) return;
  w.__parleyWidget = true;
  // currentScript is null for module scripts and some tag managers: then find our tag by name.
  const script = (document.currentScript ?? document.querySelector('script[src*="/widget.js"]')) as HTMLScriptElement | null;
  if (document.body) mount(script);
  else document.addEventListener('DOMContentLoaded', () => mount(script));
})();
