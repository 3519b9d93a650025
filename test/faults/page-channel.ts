// One page's BroadcastChannel for the pending-claims protocol (client/lib/pending-claims.ts), which
// a browser closes when the page goes. Node's BroadcastChannel is the same API; a simulated page
// closes its own on reload, or the page it replaced would go on answering for messages it no
// longer sends. (All simulated browsers share one process, hence one channel namespace: harmless,
// the questions are about clientIds only their writer holds.)

import { type Channel, createPendingClaims, type PendingClaims } from '../../client/lib/pending-claims.ts';

export interface PageChannel {
  claims: PendingClaims;
  close(): void;
}

export function openPageChannel(): PageChannel {
  const bc = new BroadcastChannel('parley:pending');
  // Answers and questions must not keep the test process alive.
  (bc as unknown as { unref?: () => void }).unref?.();
  const channel: Channel = {
    postMessage: (message) => bc.postMessage(message),
    onMessage: (listener) => {
      bc.onmessage = (e: MessageEvent) => listener(e.data);
    },
  };
  return { claims: createPendingClaims({ channel }), close: () => bc.close() };
}
