// [SEC2] Finding 2: a visitor that asks for large answers and never reads them grew the server by
// 230 MB in 3 s. Heavy reads run one at a time per connection, and a connection that owes more
// than its output budget is cut.

import { useArena } from './arena.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, ok } from '../helpers/clients.ts';
import { joinNamespace, rawWebSocket } from './raw.ts';
import { eventually } from '../helpers/clients.ts';
import { MEMORY_BUDGET_MIB, expectUnharmed, peakGrowth } from './target.ts';

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms))]);

describe('[SEC2] a client that never reads', () => {
  let cookie: string;
  const arena = useArena();
  /** The node's count of connections cut for owing more than their output budget (GET /metrics, on loopback). */
  const slowConsumerCuts = async (): Promise<number> => {
    const text = await (await fetch(`${arena.target.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('parley_slow_consumer_cuts_total '));
    if (line === undefined) throw new Error('no parley_slow_consumer_cuts_total in /metrics');
    return Number(line.split(' ')[1]);
  };
  beforeAll(async () => {
    // 200 messages of 4,000 characters: one full history page is ~800 KB of JSON.
    cookie = (await arena.target.visitorSession({ address: '10.0.2.1' })).cookie!;
    const tabs = await Promise.all(Array.from({ length: 4 }, () => connect(arena.target.url, '/visitor', { transport: 'websocket', cookie })));
    await Promise.all(
      tabs.map(async (tab, t) => {
        for (let i = 0; i < 50; i++) await ok(tab, 'message:send', { clientId: `seed-${t}-${i}`, body: `${t}/${i} `.padEnd(4000, 'x') });
      }),
    );
    for (const tab of tabs) tab.close();
  });

  it('[SEC2-1] 40 full history pages to a client that stopped reading: cut, memory bounded, others unaffected', async () => {
    const attacker = await rawWebSocket(arena.target.port, { cookie });
    expect(await joinNamespace(attacker, '/visitor')).toBe('connected');
    const cutsBefore = await slowConsumerCuts();
    const growth = await peakGrowth(arena.target, async () => {
      attacker.setReading(false);
      await attacker.send(...Array.from({ length: 40 }, (_, i) => `42/visitor,${i + 1}["history:get",{"limit":200}]`));
      // While it piles up, the server stays responsive to everyone else.
      await arena.control.roundTrip();
      // The server cuts it while it still reads nothing (its own count says so); only then does it read
      // again, to find the connection closed.
      await eventually(async () => (await slowConsumerCuts()) > cutsBefore, 20_000, 'the server to cut the connection');
      attacker.setReading(true);
      await within(attacker.closed, 20_000, 'the connection to close once read');
    });
    expect(growth).toBeLessThan(MEMORY_BUDGET_MIB);
    // Cut before it received every page it asked for.
    const answered = attacker.packets.filter((f) => f.startsWith('43/visitor,')).length;
    expect(answered).toBeLessThan(40);
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC2-3] over long-polling: 40 pages asked for by POST and never fetched: the session is cut, memory bounded', async () => {
    const base = `${arena.target.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base, { headers: { cookie } })).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body });
    expect((await post('40/visitor,')).status).toBe(200);
    const growth = await peakGrowth(arena.target, async () => {
      const packets = Array.from({ length: 40 }, (_, i) => `42/visitor,${i + 1}["history:get",{"limit":200}]`);
      expect((await post(packets.join('\x1e'))).status).toBe(200);
      // A harmless packet (a pong) is refused (503: not a session this node holds) once the engine no longer knows it.
      await eventually(async () => (await post('3')).status === 503, 20_000, 'the polling session to be cut');
    });
    expect(growth).toBeLessThan(MEMORY_BUDGET_MIB);
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC2-2] a reading client gets every page it asks for one after another, and 20 small reads at once', async () => {
    const reader = await connect(arena.target.url, '/visitor', { transport: 'websocket', cookie });
    for (let i = 0; i < 40; i++) {
      const page = await ok(reader, 'history:get', { limit: 200 });
      expect(page.messages).toHaveLength(200);
    }
    // The console asks for up to 20 one-message previews at once: they queue, they are not refused.
    const previews = await Promise.all(Array.from({ length: 20 }, () => ok(reader, 'history:get', { limit: 1 })));
    for (const p of previews) expect(p.messages).toHaveLength(1);
    expect(reader.connected).toBe(true);
    reader.close();
  });
});
