// The messages between the loader on the host page (loader.ts) and the chat in
// its frame (embed-bridge.ts), each side's parser the only way in: a message
// that does not parse is ignored. Types only, and small parsers: the loader
// pays for every byte here on every page of the host site.

/** A host page's identify (docs/embedding.md): the hash makes it a verified identity. */
export interface Identity {
  userId?: string;
  name?: string;
  email?: string;
  hash?: string;
}

export type Attributes = Record<string, string | number | boolean>;

/** Host page → chat frame. */
export type ToChat =
  /** Sent on every load of the frame: whether the panel is open, and where the visitor is. */
  | { type: 'parley:init'; open: boolean; url: string; title: string }
  | { type: 'parley:open'; open: boolean }
  | { type: 'parley:identify'; identity: Identity }
  | { type: 'parley:attributes'; attributes: Attributes }
  /** The host site's user logged out: forget this visitor. */
  | { type: 'parley:reset' };

/** Chat frame → host page. */
export type ToHost =
  | { type: 'parley:close' }
  | { type: 'parley:unread'; count: number }
  /** The chat's language, once it has chosen one (data-lang, WIDGET_LANGUAGE or the browser's): the loader speaks it too. */
  | { type: 'parley:ready'; locale: string; dir: 'ltr' | 'rtl' }
  /** A new message in the conversation (Parley.on('message')): who wrote it and its text. */
  | { type: 'parley:message'; from: 'visitor' | 'agent' | 'system'; body: string };

const URL_MAX = 2048;
const TITLE_MAX = 300;
/** Longer than any BCP 47 tag we ship; the loader matches it against its own list anyway. */
const LOCALE_MAX = 35;
/** The server's own limits (docs/embedding.md); checked there again. */
const FIELD_MAX = 254;
const ATTRS_MAX = 30;
const ATTR_VALUE_MAX = 500;
const BODY_MAX = 4000;

const str = (v: unknown, max = FIELD_MAX): v is string => typeof v === 'string' && v.length <= max;

/** Only known fields, only short strings: anything else is dropped. */
export function cleanIdentity(data: unknown): Identity | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  const out: Identity = {};
  for (const k of ['userId', 'name', 'email', 'hash'] as const) {
    if (d[k] === undefined || d[k] === null) continue;
    if (!str(d[k])) return null;
    out[k] = d[k];
  }
  return out;
}

/** At most 30 entries of short keys to strings, finite numbers or booleans; null when anything else is there. */
export function cleanAttributes(data: unknown): Attributes | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const entries = Object.entries(data);
  if (entries.length > ATTRS_MAX) return null;
  for (const [k, v] of entries) {
    if (!/^[\w.-]{1,40}$/.test(k)) return null;
    if (!(str(v, ATTR_VALUE_MAX) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) return null;
  }
  return Object.fromEntries(entries) as Attributes;
}

export function parseToChat(data: unknown): ToChat | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (d.type === 'parley:reset') return { type: 'parley:reset' };
  if (d.type === 'parley:identify') {
    const identity = cleanIdentity(d.identity);
    return identity && { type: 'parley:identify', identity };
  }
  if (d.type === 'parley:attributes') {
    const attributes = cleanAttributes(d.attributes);
    return attributes && { type: 'parley:attributes', attributes };
  }
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
  if (d.type === 'parley:ready' && str(d.locale, LOCALE_MAX) && (d.dir === 'ltr' || d.dir === 'rtl')) {
    return { type: 'parley:ready', locale: d.locale, dir: d.dir };
  }
  if (d.type === 'parley:message' && (d.from === 'visitor' || d.from === 'agent' || d.from === 'system') && typeof d.body === 'string') {
    return { type: 'parley:message', from: d.from, body: d.body.slice(0, BODY_MAX) };
  }
  return null;
}
