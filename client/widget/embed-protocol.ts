// The messages between the loader on the host page (loader.ts) and the chat in
// its frame (embed-bridge.ts), each side's parser the only way in: a message
// that does not parse is ignored. Types only, and two small parsers: the loader
// pays for every byte here on every page of the host site.

/** Host page → chat frame. */
export type ToChat =
  /** Sent on every load of the frame: whether the panel is open, and where the visitor is. */
  | { type: 'parley:init'; open: boolean; url: string; title: string }
  | { type: 'parley:open'; open: boolean };

/** Chat frame → host page. */
export type ToHost =
  | { type: 'parley:close' }
  | { type: 'parley:unread'; count: number }
  /** The chat's language, once it has chosen one (data-lang, WIDGET_LANGUAGE or the browser's): the loader speaks it too. */
  | { type: 'parley:ready'; locale: string; dir: 'ltr' | 'rtl' };

const URL_MAX = 2048;
const TITLE_MAX = 300;
/** Longer than any BCP 47 tag we ship; the loader matches it against its own list anyway. */
const LOCALE_MAX = 35;

export function parseToChat(data: unknown): ToChat | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (typeof d.open !== 'boolean') return null;
  if (d.type === 'parley:open') return { type: 'parley:open', open: d.open };
  if (d.type === 'parley:init' && typeof d.url === 'string') {
    return { type: 'parley:init', open: d.open, url: d.url.slice(0, URL_MAX), title: typeof d.title === 'string' ? d.title.slice(0, TITLE_MAX) : '' };
  }
  return null;
}

export function parseToHost(data: unknown): ToHost | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (d.type === 'parley:close') return { type: 'parley:close' };
  if (d.type === 'parley:unread' && typeof d.count === 'number' && Number.isFinite(d.count)) {
    return { type: 'parley:unread', count: Math.max(0, Math.floor(d.count)) };
  }
  if (d.type === 'parley:ready' && typeof d.locale === 'string' && d.locale.length <= LOCALE_MAX && (d.dir === 'ltr' || d.dir === 'rtl')) {
    return { type: 'parley:ready', locale: d.locale, dir: d.dir };
  }
  return null;
}
