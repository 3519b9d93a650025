// Connected, silent visitors (scenarios idle and idle-50k): how long connecting takes and,
// measured by the runner from outside, what each connection costs the server. For idle-50k,
// also a storm: new visitors arriving at a given rate on top of the idle population, each
// connecting and opening a conversation (its first `message:send`), timed from its arrival
// to the `conversation` event the server sends it (docs/protocol.md, /visitor).

import { newClientId } from '../../client/lib/ids.ts';
import { createRecorder } from '../lib/histogram.ts';
import { mapLimit } from '../lib/stats.ts';
import { type VisitorSocket, closeAll, connect, request, sourceAddressAgent } from './client.ts';
import type { GeneratorSetup, Transport, Workload } from './protocol.ts';

export interface IdleParams {
  transport: Transport;
  connectConcurrency: number;
  /** Loopback source address of this generator's connections (sourceAddressAgent); absent: 127.0.0.1 and the OS's ephemeral ports. */
  localAddress?: string;
  /** Storm arrivals of this generator (idle-50k). */
  storm?: {
    /** Credentials of this generator's storm visitors (not connected before the storm). */
    visitors: string[];
    /** Global index of the first of them among all storm visitors, and their total. */
    offset: number;
    total: number;
    /** Arrivals are spread evenly over this long (all generators together). */
    spreadMs: number;
    /** A storm visitor not connected and answered with its `conversation` by then counts as failed. */
    timeoutMs: number;
  };
}

/** The storm step's arguments: when the first arrival is (epoch ms, the same clock in every process). */
export interface StormArgs {
  startAt: number;
}

/** What the storm step reports (histograms in ms, from each visitor's own arrival time). */
export interface StormResult {
  arrivals: number;
  connected: number;
  /** Connected at most 5 s after the storm's start. */
  connectedIn5s: number;
  /** Failed to connect, or connected but got no `conversation` event before the timeout, or lost the connection. */
  failed: number;
  sendErrors: number;
  /** Epoch ms of the last successful connect (null: none). */
  lastConnectAt: number | null;
  connect: ReturnType<ReturnType<typeof createRecorder>['snapshot']>;
  conversation: ReturnType<ReturnType<typeof createRecorder>['snapshot']>;
  /** Sockets of this generator (idle and storm) that disconnected during the storm. */
  idleDisconnects: number;
}

/** Wall-clock milliseconds with sub-millisecond precision (shared across processes, unlike performance.now()). */
const epochMs = () => performance.timeOrigin + performance.now();

export function createIdleWorkload(setup: GeneratorSetup): Workload {
  const p = setup.params as unknown as IdleParams;
  const sockets: VisitorSocket[] = [];
  /** Storm visitors: their sockets (once connected) and which of them failed. */
  const stormSockets = new Map<number, VisitorSocket>();
  const stormFailed = new Set<number>();
  const agent = p.localAddress ? sourceAddressAgent(p.localAddress) : undefined;
  let disconnects = 0;
  let failed = 0;

  async function connectIdle() {
    const t0 = performance.now();
    const times = createRecorder();
    const list = await mapLimit(setup.identities.visitors, p.connectConcurrency, async (credential, i) => {
      const c0 = performance.now();
      try {
        const socket = await connect({
          kind: setup.kind,
          url: setup.urls[i % setup.urls.length],
          ns: '/visitor',
          credential,
          transport: p.transport,
          agent,
        });
        times.record(performance.now() - c0);
        socket.on('disconnect', () => disconnects++);
        return socket;
      } catch {
        failed++;
        return null;
      }
    });
    for (const s of list) if (s) sockets.push(s);
    return { ms: performance.now() - t0, connected: sockets.length, failed, connect: times.snapshot() };
  }

  function storm(args: StormArgs): Promise<StormResult> {
    const st = p.storm;
    if (!st) throw new Error('idle: storm step without storm parameters');
    const idleBefore = disconnects;
    const connectTimes = createRecorder();
    const conversationTimes = createRecorder();
    const result = { arrivals: st.visitors.length, connected: 0, connectedIn5s: 0, failed: 0, sendErrors: 0, lastConnectAt: null as number | null };
    let pending = st.visitors.length;
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const finish = () => {
        for (const t of timers) clearTimeout(t);
        resolve({ ...result, connect: connectTimes.snapshot(), conversation: conversationTimes.snapshot(), idleDisconnects: disconnects - idleBefore });
      };
      if (pending === 0) return finish();
      const settled = new Set<number>();
      const settle = (k: number, ok: boolean) => {
        if (settled.has(k)) return;
        settled.add(k);
        if (!ok) {
          result.failed++;
          stormFailed.add(k);
        }
        if (--pending === 0) finish();
      };
      // Everything still unanswered at the deadline has failed.
      const deadline = args.startAt + st.spreadMs + st.timeoutMs;
      timers.push(setTimeout(() => {
        for (let k = 0; k < st.visitors.length; k++) settle(k, false);
      }, deadline - epochMs()));
      st.visitors.forEach((credential, k) => {
        const global = st.offset + k;
        const arrival = args.startAt + (global * st.spreadMs) / st.total;
        timers.push(
          setTimeout(() => {
            let gotConversation = false;
            connect({
              kind: setup.kind,
              url: setup.urls[global % setup.urls.length],
              ns: '/visitor',
              credential,
              transport: p.transport,
              agent,
              timeoutMs: Math.max(1000, deadline - epochMs()),
              listen: (socket) =>
                socket.on('conversation', () => {
                  if (gotConversation) return;
                  gotConversation = true;
                  conversationTimes.record(epochMs() - arrival);
                  settle(k, true);
                }),
            }).then(
              (socket) => {
                const now = epochMs();
                connectTimes.record(now - arrival);
                result.connected++;
                if (now - args.startAt <= 5000) result.connectedIn5s++;
                result.lastConnectAt = Math.max(result.lastConnectAt ?? 0, now);
                stormSockets.set(k, socket);
                socket.on('disconnect', () => {
                  disconnects++;
                  settle(k, false);
                });
                // The visitor writes: its first message opens a queued conversation.
                request(socket, 'message:send', { clientId: newClientId(), body: 'Hello, I saw your email' }, st.timeoutMs, (answer) => {
                  if (!answer.ok) {
                    result.sendErrors++;
                    settle(k, false);
                  }
                });
              },
              () => settle(k, false),
            );
          }, Math.max(0, arrival - epochMs())),
        );
      });
    });
  }

  return {
    async step(name, args) {
      if (name === 'connect') return connectIdle();
      if (name === 'storm') return storm(args as unknown as StormArgs) as unknown as Promise<Record<string, unknown>>;
      throw new Error(`idle: unknown step ${name}`);
    },
    start() {},
    measure() {},
    async stop() {
      let stormLost = stormFailed.size;
      for (const [k, socket] of stormSockets) if (!socket.connected && !stormFailed.has(k)) stormLost++;
      const idleConnected = sockets.filter((s) => s.connected).length;
      return { connected: idleConnected, disconnects, failed, stormLost };
    },
    async close() {
      closeAll(sockets);
      closeAll(stormSockets.values());
    },
  };
}
