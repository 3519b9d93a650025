// The chat page's side of the widget: messages to and from the loader on the
// host page (open/close, the host page's address, the unread badge, the chat's language).
// Only the embedding window is listened to; it is vetted by frame-ancestors.
// The messages themselves are typed in embed-protocol.ts.

import { type Attributes, type Identity, parseToChat, type ToHost } from './embed-protocol.ts';

export interface HostPage {
  url: string;
  title: string;
}

export interface BridgeHandlers {
  onOpen(open: boolean): void;
  onPage(page: HostPage): void;
  /** Parley.identify / setAttributes / reset on the host page (docs/embedding.md). */
  onIdentify(identity: Identity): void;
  onAttributes(attributes: Attributes): void;
  onReset(): void;
}

export interface Bridge {
  /** Starts delivering the loader's messages; what came before (the loader's init) is replayed first. */
  listen(handlers: BridgeHandlers): void;
  setUnread(count: number): void;
  close(): void;
  /** Tells the loader the chat's language (now, or as soon as the loader has introduced itself). */
  ready(locale: string, dir: 'ltr' | 'rtl'): void;
  /** A new message, for the host page's Parley.on('message'). */
  message(from: 'visitor' | 'agent' | 'system', body: string): void;
}

/**
 * Listens at once, before the chat has its language (which may need a fetch): the loader sends its init when
 * the frame's document has loaded, which can be before the chat is ready, and it sends it only once.
 */
export function connectBridge(): Bridge | null {
  if (window.parent === window) return null;
  let parentOrigin: string | null = null;
  let handlers: BridgeHandlers | null = null;
  let open: boolean | null = null;
  let page: HostPage | null = null;
  let language: ToHost | null = null;
  const post = (message: ToHost) => {
    if (parentOrigin) window.parent.postMessage(message, parentOrigin);
  };
  /** What came before listen(): identify, attributes and reset, in order (bounded: the loader sends a few). */
  const early: Array<(h: BridgeHandlers) => void> = [];
  const deliver = (call: (h: BridgeHandlers) => void) => {
    if (handlers) call(handlers);
    else if (early.length < 20) early.push(call);
  };
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    // The first message names the embedding page's origin (frame-ancestors vetted it); nothing else is heard.
    if (parentOrigin !== null && event.origin !== parentOrigin) return;
    const message = parseToChat(event.data);
    if (!message) return;
    const introduced = parentOrigin === null;
    parentOrigin = event.origin;
    if (introduced && language) post(language);
    if (message.type === 'parley:identify') return deliver((h) => h.onIdentify(message.identity));
    if (message.type === 'parley:attributes') return deliver((h) => h.onAttributes(message.attributes));
    if (message.type === 'parley:reset') return deliver((h) => h.onReset());
    open = message.open;
    handlers?.onOpen(message.open);
    if (message.type === 'parley:init') {
      page = { url: message.url, title: message.title };
      handlers?.onPage(page);
    }
  });
  return {
    listen(h) {
      handlers = h;
      if (open !== null) h.onOpen(open);
      if (page) h.onPage(page);
      for (const call of early.splice(0)) call(h);
    },
    message: (from, body) => post({ type: 'parley:message', from, body }),
    setUnread: (count) => post({ type: 'parley:unread', count }),
    close: () => post({ type: 'parley:close' }),
    ready(locale, dir) {
      language = { type: 'parley:ready', locale, dir };
      post(language);
    },
  };
}

/** True when the page that frames the chat is on another origin (its cookie must then be partitioned). */
export function framedCrossOrigin(): boolean {
  if (window.top === window) return false;
  try {
    return window.top!.location.origin !== location.origin;
  } catch {
    return true;
  }
}
