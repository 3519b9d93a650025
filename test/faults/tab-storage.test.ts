// [FAULT-TAB1] The harness's per-tab sessionStorage (tab-storage.ts): two tabs in one process each
// see their own, in their sockets' events, in code after an ack, and after a reconnect, over both
// transports. Were it lost, a client keeping its outbox there would share one storage across tabs.

import { describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startApp } from '../helpers/start-app.ts';
import { installSessionStorage, inTab, TabStorage, unscopedStorageUses } from './tab-storage.ts';

describe('[FAULT-TAB] a tab\'s sessionStorage', () => {
  it.each(['polling', 'websocket'] as const)('[FAULT-TAB1] follows the tab through events, acks and a reconnect (%s)', async (transport) => {
    installSessionStorage();
    const app = await startApp();
    const { cookie } = await app.visitorSession();
    const before = unscopedStorageUses();
    const seen: string[] = [];
    const tab = (i: number) =>
      inTab(new TabStorage(), () => {
        sessionStorage.setItem('tab', String(i));
        const socket = io(`${app.url}/visitor`, { transports: transport === 'polling' ? ['polling'] : ['polling', 'websocket'], forceNew: true, reconnectionDelay: 50, extraHeaders: { cookie } });
        const note = (what: string) => seen.push(`${what} in tab ${i}: ${sessionStorage.getItem('tab')}`);
        return new Promise<void>((resolve) => {
          let connects = 0;
          socket.on('message', () => note('message'));
          socket.on('connect', async () => {
            note(`connect ${++connects}`);
            if (connects === 2) {
              socket.close();
              return resolve();
            }
            await socket.timeout(5000).emitWithAck('message:send', { clientId: `tab${i}-${transport}`, body: 'hello' });
            note('ack');
            // The transport goes: the client reconnects on its own.
            socket.io.engine.close();
          });
        });
      });
    await Promise.all([tab(0), tab(1)]);
    expect(seen.filter((s) => s.startsWith('connect 2'))).toHaveLength(2);
    expect(seen.filter((s) => s.startsWith('ack'))).toHaveLength(2);
    for (const s of seen) expect(s.split(': ')[1], s).toBe(/in tab (\d)/.exec(s)![1]);
    expect(unscopedStorageUses()).toBe(before);
  });
});
