// Which of one's unsent messages another open page is already sending. A tab's
// sessionStorage is copied into a duplicated tab and into a window opened from
// it, unsent messages included; the page they were copied from is still sending
// them. Pages of one browser (and one storage partition) ask each other over a
// BroadcastChannel: a page answers for the clientIds it holds, and a restoring
// page leaves those to their holder. Without an answer in time (no such page, a
// reload, a frozen background tab) it adopts them: the server stores a clientId
// once (IDEM1), so the worst case is a resend that changes nothing.

import { newClientId } from './ids.ts';

/** A BroadcastChannel as this needs it (browserChannel() below; a test wraps Node's own). */
export interface Channel {
  postMessage(message: unknown): void;
  onMessage(listener: (data: unknown) => void): void;
}

export interface PendingClaims {
  /** Answers other pages for the clientIds `held()` returns (read at each question), until the returned function is called. */
  hold(held: () => readonly string[]): () => void;
  /** Those of `ids` that another open page holds, as answered within the wait. */
  heldElsewhere(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

type Ask = { type: 'parley:pending?'; ask: string; ids: string[] };
type Held = { type: 'parley:pending!'; ask: string; ids: string[] };

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isAsk = (m: unknown): m is Ask => !!m && (m as Ask).type === 'parley:pending?' && typeof (m as Ask).ask === 'string' && strings((m as Ask).ids);
const isHeld = (m: unknown): m is Held => !!m && (m as Held).type === 'parley:pending!' && typeof (m as Held).ask === 'string' && strings((m as Held).ids);

/** `channel` null (no BroadcastChannel): nobody is asked and everything is adopted. */
export function createPendingClaims({ channel, waitMs = 300 }: { channel: Channel | null; waitMs?: number }): PendingClaims {
  const holders = new Set<() => readonly string[]>();
  const asking = new Map<string, Set<string>>();
  channel?.onMessage((data) => {
    if (isHeld(data)) {
      const found = asking.get(data.ask);
      for (const id of data.ids) found?.add(id);
    } else if (isAsk(data) && holders.size > 0) {
      const wanted = new Set(data.ids);
      const ids = [...holders].flatMap((held) => held().filter((id) => wanted.has(id)));
      if (ids.length) channel.postMessage({ type: 'parley:pending!', ask: data.ask, ids } satisfies Held);
    }
  });
  return {
    hold(held) {
      holders.add(held);
      return () => holders.delete(held);
    },
    async heldElsewhere(ids) {
      if (!channel || ids.length === 0) return new Set();
      const ask = newClientId();
      const found = new Set<string>();
      asking.set(ask, found);
      channel.postMessage({ type: 'parley:pending?', ask, ids: [...ids] } satisfies Ask);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      asking.delete(ask);
      return found;
    },
  };
}

/** The browser's BroadcastChannel of that name, or null where there is none. */
export function browserChannel(name: string): Channel | null {
  try {
    if (typeof BroadcastChannel !== 'function') return null;
    const channel = new BroadcastChannel(name);
    return {
      postMessage: (message) => channel.postMessage(message),
      onMessage: (listener) => channel.addEventListener('message', (event) => listener((event as MessageEvent).data)),
    };
  } catch {
    return null;
  }
}
