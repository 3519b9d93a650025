// [FAULT-RELOAD] Visitors reload their tab while it holds messages not yet sent, under continuous
// traffic in the cluster: either right after writing several at once (one on its way, the rest
// queued behind it), or while the tab is offline (all of them waiting). A browser keeps a tab's
// sessionStorage across a reload (TabStorage here): every message written before the reload must
// be stored exactly once and reach the agent, and the visitor must not appear to leave.

import { describe, it } from 'vitest';
import { loadProfile } from './profile.ts';
import { budgetMs, runClusterScenario, sleep } from './scenario.ts';
import { reloadTab } from './world.ts';

const BURST = 4;
const OFFLINE_WRITES = 3;
const BETWEEN_MS = 1000;

describe('[FAULT-RELOAD] a tab reloaded with unsent messages', () => {
  it('[FAULT-RELOAD1] every message written before a reload is stored once and delivered; no flicker', { timeout: budgetMs(loadProfile(), 30_000) }, async () => {
    await runClusterScenario({
      id: 'tab-reload',
      title: 'a tab reloaded with unsent messages',
      async fault({ world, rec, profile, notes }) {
        let unsent = 0;
        const written: string[] = [];
        for (let k = 0; k < profile.reloads; k++) {
          const v = world.visitors[k % world.visitors.length];
          const tab = v.tabs[0];
          const offline = k % 2 === 1;
          if (offline) {
            rec.fault(`v${v.n} offline`);
            tab.socket.disconnect();
          }
          const ids = Array.from({ length: offline ? OFFLINE_WRITES : BURST }, (_, i) => tab.write(`v${v.n} before reload ${k}.${i}`));
          written.push(...ids);
          const acked = new Set(rec.acks.filter((a) => a.outcome === 'ok' && a.clientId).map((a) => a.clientId));
          unsent += ids.filter((id) => !acked.has(id)).length;
          rec.fault(`reload v${v.n}${offline ? ' (offline)' : ''}`);
          reloadTab(world, v);
          await sleep(BETWEEN_MS);
        }
        const stored = new Set(rec.acks.filter((a) => a.outcome === 'ok').map((a) => a.clientId));
        notes.push(`${profile.reloads} reloads (every other one offline); ${written.length} messages written just before them, ${unsent} not acked when their tab reloaded; ${written.filter((id) => stored.has(id)).length} acked by the end of the reloads`);
      },
    });
  });
});
