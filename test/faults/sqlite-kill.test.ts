// [FAULT-SQLITE] One node on its embedded SQLite database, behind nginx, writing 200 messages per
// second, is killed with kill -9 and started again at once (a supervisor's restart). The file as
// the crash left it passes integrity_check, holds every message acked before the kill with the
// seq it was acked with, and every conversation's seqs are gap-free; after the restart the
// clients catch up and the checkers find nothing lost, duplicated or reordered.

import { describe, expect, it } from 'vitest';
import { sample } from './checker.ts';
import { conclude } from './conclude.ts';
import { sqliteSnapshot } from './db-snapshot.ts';
import { loadProfile } from './profile.ts';
import { createRecorder } from './recorder.ts';
import { DEFAULT_BOUNDS, finish, sleep } from './scenario.ts';
import { startStack } from './stack.ts';
import { installSessionStorage } from './tab-storage.ts';
import { startTraffic } from './traffic.ts';
import { addAdmin, addAgents, addVisitors, claimRoundRobin, createWorld, settle, writers } from './world.ts';

const AGENTS = 4;
/** The rate is measured over this window just before the kill. */
const RATE_WINDOW_MS = 2000;

describe('[FAULT-SQLITE] SQLite node killed at 200 msg/s', () => {
  it('[FAULT-SQLITE1] kill -9 under load: the file is intact and holds every acked message, gap-free; 0 lost after the restart', { timeout: loadProfile().name === 'long' ? 480_000 : 240_000 }, async () => {
    installSessionStorage();
    const profile = loadProfile();
    const began = performance.now();
    const rec = createRecorder();
    const stack = await startStack({ engine: 'sqlite', nodes: 1, agents: AGENTS });
    const world = createWorld(stack, rec);
    await addAdmin(world);
    await addAgents(world, stack.accounts.agents);
    await addVisitors(world, profile.sqliteConversations);
    await claimRoundRobin(world);
    await settle(world);

    const ws = writers(world);
    const traffic = startTraffic(ws, { rate: profile.sqliteRate / ws.length, maxMs: 300_000 });
    const notes: string[] = [];
    const failures: string[] = [];
    const fail = (ok: boolean, text: string) => {
      expect.soft(ok, text).toBe(true);
      if (!ok) failures.push(text);
    };
    let restartMs = 0;
    for (let round = 0; round < profile.rounds; round++) {
      await sleep(profile.warmupMs);
      rec.fault('kill -9');
      const killedAt = rec.now();
      await stack.kill(0);
      const ackedBefore = rec.acks.filter((a) => a.event === 'message:send' && a.outcome === 'ok' && a.t < killedAt);
      const rate = (ackedBefore.filter((a) => a.t >= killedAt - RATE_WINDOW_MS).length * 1000) / RATE_WINDOW_MS;

      // The file as the crash left it, opened as the next start will open it.
      const crashed = sqliteSnapshot(stack.sqlitePath!, { integrity: true });
      const rows = new Map([...crashed.conversations.values()].flatMap((c) => c.messages.map((m) => [`${m.conversationId}/${m.clientId}`, m] as const)));
      const missing = ackedBefore.filter((a) => {
        const row = rows.get(`${a.message!.conversationId}/${a.message!.clientId}`);
        return !row || row.seq !== a.message!.seq || row.id !== a.message!.id;
      });
      const gaps = [...crashed.conversations.values()].filter((c) => c.messages.some((m, i) => m.seq !== i + 1));
      notes.push(`round ${round + 1}: killed at ${rate.toFixed(0)} acked msg/s (over the last ${RATE_WINDOW_MS / 1000} s); the crashed file: integrity_check "${crashed.integrity}", ${ackedBefore.length} acked messages checked, ${missing.length} missing or different, ${gaps.length} conversations with a seq gap`);
      fail(rate >= profile.sqliteRate / 2, `the kill came under load: ${rate.toFixed(0)} acked msg/s (target ${profile.sqliteRate})`);
      fail(crashed.integrity === 'ok', `integrity_check after kill -9: ${crashed.integrity}`);
      fail(missing.length === 0, `every message acked before the kill is in the file as acked: ${missing.length} are not ${sample(missing.map((a) => a.message!.clientId))}`);
      fail(gaps.length === 0, `seqs gap-free after the crash: ${sample(gaps.map((c) => c.id))}`);

      rec.fault('start');
      restartMs = Math.max(restartMs, await stack.start(0));
    }
    rec.fault('recovery');
    await sleep(profile.recoveryMs);
    const c = await conclude(world, traffic);

    // A clean stop, then the file once more.
    const stop = await stack.terminate(0);
    const final = sqliteSnapshot(stack.sqlitePath!, { integrity: true });
    const count = (s: typeof final) => [...s.conversations.values()].reduce((n, x) => n + x.messages.length, 0);
    notes.push(`restart: listening ${(restartMs / 1000).toFixed(1)} s after the kill; clean stop with code ${stop.code}; final integrity_check "${final.integrity}", ${count(final)} messages`);
    fail(final.integrity === 'ok' && count(final) === count(c.snapshot), `final file intact and unchanged since the check: integrity "${final.integrity}", ${count(final)} messages vs ${count(c.snapshot)}`);
    // The only node is down until it has started again.
    finish({ id: 'sqlite-kill', title: 'SQLite node kill -9 at 200 msg/s' }, profile, c, began, notes, failures, stack, { outageMs: restartMs + DEFAULT_BOUNDS.outageMs });
  });
});
