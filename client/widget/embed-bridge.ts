// The chat page's side of the widget: messages to and from the loader on the
// host page (open/close, the host page's address, the unread badge, the chat's language).
// Only the embedding window is listened to; it is vetted by frame-ancestors.
// The messages themselves are typed in embed-protocol.ts.

import { parseToChat, type ToHost } from './embed-protocol.ts';

export interface HostPage {
  url: string;
  title: string;
}

export interface BridgeHandlers {
  onOpen(open: boolean): void;
  onPage(page: HostPage): void;
}

export interface Bridge {
  /** Starts delivering the loader's messages; what came before (the loader's init) is replayed first. */
  listen(handlers: BridgeHandlers): void;
  setUnread(count: number): void;
  close(): void;
  /** Tells the loader the chat's language (now, or as soon as the loader has introduced itself). */
  ready(locale: string, dir: 'ltr' | 'rtl'): void;
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
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const message = parseToChat(event.data);
    if (!message) return;
    const introduced = parentOrigin === null;
    parentOrigin = event.origin;
    if (introduced && language) post(language);
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
    },
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
