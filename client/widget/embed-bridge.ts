// The chat page's side of the widget: messages to and from the loader on the
// host page (open/close, the host page's address, the unread badge).
// Only the embedding window is listened to; it is vetted by frame-ancestors.
// The messages themselves are typed in embed-protocol.ts.

import { parseToChat, type ToHost } from './embed-protocol.ts';

export interface HostPage {
  url: string;
  title: string;
}

export interface Bridge {
  setUnread(count: number): void;
  close(): void;
}

export function connectBridge(handlers: { onOpen(open: boolean): void; onPage(page: HostPage): void }): Bridge | null {
  if (window.parent === window) return null;
  let parentOrigin: string | null = null;
  const post = (message: ToHost) => {
    if (parentOrigin) window.parent.postMessage(message, parentOrigin);
  };
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const message = parseToChat(event.data);
    if (!message) return;
    parentOrigin = event.origin;
    handlers.onOpen(message.open);
    if (message.type === 'parley:init') handlers.onPage({ url: message.url, title: message.title });
  });
  return {
    setUnread: (count) => post({ type: 'parley:unread', count }),
    close: () => post({ type: 'parley:close' }),
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
