// Claim storm: visitors open queued conversations, then agents that learnt the
// queue from their `queue` snapshot race to claim all of them at once, each in
// its own shuffled order with a few claims in flight, skipping what
// `queue:remove` reports as taken. Every successful claim is reported by id, so
// the runner can count double claims across processes.

import { mapLimit } from '../lib/stats.ts';
import { type AgentSocket, type VisitorSocket, closeAll, connect, countError, request, requestAsync } from './client.ts';
import type { GeneratorSetup, Transport, Workload } from './protocol.ts';

export interface ClaimParams {
  inFlightPerAgent: number;
  transport: Transport;
  connectConcurrency: number;
  /** The storm must be over by then (ms after start). */
  timeoutMs: number;
}

/** Deterministic shuffle (mulberry32), so runs are comparable. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const now = () => performance.timeOrigin + performance.now();

export function createClaimWorkload(setup: GeneratorSetup): Workload {
  const p = setup.params as unknown as ClaimParams;
  const { kind, urls, identities } = setup;
  const visitors: VisitorSocket[] = [];
  const agents: Array<{ socket: AgentSocket; queue: string[]; removed: Set<string> }> = [];
  const claimed: string[] = [];
  const errors: Record<string, number> = {};
  /** Every event the clients received during the storm (fan-out per claim). */
  let received = 0;
  let counting = false;
  const count = (socket: VisitorSocket | AgentSocket) => socket.onAny(() => {
    if (counting) received++;
  });
  let attempts = 0;
  let alreadyClaimed = 0;
  let startAt = 0;
  let lastOkAt = 0;
  let done: Promise<void> = Promise.resolve();

  async function race(agent: (typeof agents)[number], seed: number): Promise<void> {
    const order = shuffle(agent.queue, seed);
    let next = 0;
    const worker = (): Promise<void> =>
      new Promise((resolve) => {
        const claimNext = () => {
          while (next < order.length && agent.removed.has(order[next])) next++;
          if (next >= order.length || now() - startAt > p.timeoutMs) return resolve();
          const conversationId = order[next++];
          attempts++;
          request(agent.socket, 'conversation:claim', { conversationId }, p.timeoutMs, (result) => {
            if (result.ok) {
              claimed.push(conversationId);
              lastOkAt = now();
            } else if (result.error.code === 'already_claimed') alreadyClaimed++;
            else countError(errors, result);
            claimNext();
          });
        };
        claimNext();
      });
    await Promise.all(Array.from({ length: p.inFlightPerAgent }, worker));
  }

  return {
    async step(name) {
      const t0 = performance.now();
      if (name === 'open') {
        visitors.push(
          ...(await mapLimit(identities.visitors, p.connectConcurrency, async (credential, i) => {
            const socket = await connect({ kind, url: urls[i % urls.length], ns: '/visitor', credential, transport: p.transport, listen: count });
            const ack = await requestAsync(socket, 'message:send', { clientId: `open-${setup.index}-${i}`, body: 'hello, anyone?' });
            if (!ack.ok) throw new Error(`opening a conversation: ${ack.error.code}`);
            return socket;
          })),
        );
        return { ms: performance.now() - t0, opened: visitors.length };
      }
      if (name === 'agents') {
        await mapLimit(identities.agents, p.connectConcurrency, async (credential, i) => {
          const removed = new Set<string>();
          let snapshot!: (ids: string[]) => void;
          const queue = new Promise<string[]>((resolve) => (snapshot = resolve));
          const socket = await connect({
            kind,
            url: urls[(i + 1) % urls.length],
            ns: '/agent',
            credential,
            transport: p.transport,
            listen: (s) => {
              count(s);
              s.once('queue', (q) => snapshot(q.conversations.map((c) => c.id)));
              s.on('queue:remove', (e) => removed.add(e.conversationId));
            },
          });
          agents.push({ socket, queue: await queue, removed });
        });
        return { ms: performance.now() - t0, agents: agents.length, queued: agents[0]?.queue.length ?? 0 };
      }
      throw new Error(`claims: unknown step ${name}`);
    },
    start() {
      counting = true;
      startAt = now();
      done = Promise.all(agents.map((a, i) => race(a, setup.index * 1000 + i + 1))).then(() => {});
    },
    measure() {},
    async stop() {
      await done;
      // Let the fan-out of the last claims arrive before counting it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      counting = false;
      return { startAt, lastOkAt, claimed, attempts, alreadyClaimed, errors, received };
    },
    async close() {
      closeAll([...visitors, ...agents.map((a) => a.socket)]);
    },
  };
}
