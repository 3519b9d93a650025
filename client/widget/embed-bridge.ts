// The chat page's side of the widget: messages to and from the loader on the
// host page (open/close, the host page's address, the unread badge).
// Only the embedding window is listened to; it is vetted by frame-ancestors.

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
  const post = (data: object) => {
    if (parentOrigin) window.parent.postMessage(data, parentOrigin);
  };
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const data = event.data as { type?: unknown; open?: unknown; url?: unknown; title?: unknown } | null;
    if (!data || typeof data !== 'object') return;
    parentOrigin = event.origin;
    if (data.type === 'parley:init' || data.type === 'parley:open') {
      if (typeof data.open === 'boolean') handlers.onOpen(data.open);
    }
    if (data.type === 'parley:init' && typeof data.url === 'string') {
      handlers.onPage({ url: data.url.slice(0, 2048), title: typeof data.title === 'string' ? data.title.slice(0, 300) : '' });
    }
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
