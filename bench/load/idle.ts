// Connected, silent visitors (scenario idle): how long connecting takes and,
// measured by the runner from outside, what each connection costs the server.

import { createRecorder } from '../lib/histogram.ts';
import { mapLimit } from '../lib/stats.ts';
import { type VisitorSocket, closeAll, connect } from './client.ts';
import type { GeneratorSetup, Transport, Workload } from './protocol.ts';

export interface IdleParams {
  transport: Transport;
  connectConcurrency: number;
}

export function createIdleWorkload(setup: GeneratorSetup): Workload {
  const p = setup.params as unknown as IdleParams;
  const sockets: VisitorSocket[] = [];
  let disconnects = 0;
  return {
    async step(name) {
      if (name !== 'connect') throw new Error(`idle: unknown step ${name}`);
      const t0 = performance.now();
      const times = createRecorder();
      const list = await mapLimit(setup.identities.visitors, p.connectConcurrency, async (credential, i) => {
        const c0 = performance.now();
        const socket = await connect({ kind: setup.kind, url: setup.urls[i % setup.urls.length], ns: '/visitor', credential, transport: p.transport });
        times.record(performance.now() - c0);
        socket.on('disconnect', () => disconnects++);
        return socket;
      });
      sockets.push(...list);
      return { ms: performance.now() - t0, connected: sockets.length, connect: times.snapshot() };
    },
    start() {},
    measure() {},
    async stop() {
      return { connected: sockets.filter((s) => s.connected).length, disconnects };
    },
    async close() {
      closeAll(sockets);
    },
  };
}
