// Away by itself: after the team's `awayAfterMs` (docs/protocol.md, "Routing") without activity
// in any of this agent's console tabs (pointer, keys, scroll, the tab shown), the console sets
// the agent away, so routing gives them nothing new; the first activity afterwards sets them
// online again. An agent who chose "away" themselves stays away until they choose otherwise.
// Tabs share the time of the last activity through localStorage.

import type { ReadonlySignal } from '@preact/signals';

const KEY = 'parley:console-activity';
/** How often activity is written down (a busy pointer would write on every move otherwise). */
const WRITE_EVERY_MS = 5000;
const CHECK_EVERY_MS = 1000;

export interface AutoAway {
  /** The team's setting, from the server's `settings` event; 0 turns it off. */
  configure(awayAfterMs: number): void;
  stop(): void;
}

export function startAutoAway(opts: {
  status: ReadonlySignal<'online' | 'away'>;
  setStatus(next: 'online' | 'away'): void;
  now?: () => number;
}): AutoAway {
  const now = opts.now ?? Date.now;
  let awayAfterMs = 0;
  let lastLocal = now();
  let written = 0;
  /** Set when this tab made the agent away: only then does activity bring them back. */
  let awaySince: number | null = null;

  const stored = () => {
    try {
      return Number(localStorage.getItem(KEY)) || 0;
    } catch {
      return 0;
    }
  };
  const lastActivity = () => Math.max(lastLocal, stored());

  function active() {
    lastLocal = now();
    if (lastLocal - written >= WRITE_EVERY_MS) {
      written = lastLocal;
      try {
        localStorage.setItem(KEY, String(lastLocal));
      } catch {
        // Storage refused (private mode, full): this tab's own activity still counts.
      }
    }
    check();
  }

  function check() {
    if (awaySince !== null) {
      if (opts.status.peek() !== 'away') awaySince = null; // the agent chose a status meanwhile
      else if (lastActivity() > awaySince) {
        awaySince = null;
        opts.setStatus('online');
      }
      return;
    }
    if (awayAfterMs > 0 && opts.status.peek() === 'online' && now() - lastActivity() >= awayAfterMs) {
      awaySince = now();
      opts.setStatus('away');
    }
  }

  const events = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;
  for (const e of events) window.addEventListener(e, active, { passive: true });
  const onVisible = () => document.visibilityState === 'visible' && active();
  document.addEventListener('visibilitychange', onVisible);
  const timer = setInterval(check, CHECK_EVERY_MS);

  return {
    configure(ms) {
      awayAfterMs = ms;
      check();
    },
    stop() {
      clearInterval(timer);
      for (const e of events) window.removeEventListener(e, active);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
