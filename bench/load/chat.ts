// Conversations between visitors and agents (scenarios saturation, steady,
// polling). Each agent holds `perAgent` conversations on one connection, as
// real agents do. Load is either closed-loop (each side keeps `inFlight`
// messages unacknowledged) or open-loop (each side sends `ratePerSide`/s).
// A message's body starts with its send time, so the peer — in this same
// process — measures end-to-end latency on one clock.

import { newClientId } from '../../client/lib/ids.ts';
import type { Ack } from '../../server/protocol/errors.ts';
import type { Message } from '../../server/protocol/shapes.ts';
import { createRecorder } from '../lib/histogram.ts';
import { mapLimit } from '../lib/stats.ts';
import { type AgentSocket, type TimedOut, type VisitorSocket, closeAll, connect, countError, request, requestAsync } from './client.ts';
import type { GeneratorSetup, Transport, Workload } from './protocol.ts';

export interface ChatParams {
  perAgent: number;
  mode: 'closed' | 'rate';
  /** closed: unacknowledged messages per side. */
  inFlight: number;
  /** rate: messages per second per side. */
  ratePerSide: number;
  bodyBytes: number;
  transport: Transport;
  connectConcurrency: number;
  /** Upper bound on messages sent per side, whatever the duration. */
  maxPerSide: number;
}

/** One side of a conversation: who sends from it, on which socket. */
type Side = SideState & ({ author: 'visitor'; socket: VisitorSocket } | { author: 'agent'; socket: AgentSocket });

interface SideState {
  conversationId: string;
  sent: number;
  outstanding: number;
  /** Highest seq seen from the peer: deliveries must come in seq order. */
  lastSeqSeen: number;
  timer: NodeJS.Timeout | null;
}

export function createChatWorkload(setup: GeneratorSetup): Workload {
  const p = setup.params as unknown as ChatParams;
  const { kind, urls, identities } = setup;
  const conversations = identities.visitors.length;
  const agentCount = Math.ceil(conversations / p.perAgent);
  const urlsOf = (ns: '/visitor' | '/agent') => (setup.roleUrls ? (ns === '/visitor' ? setup.roleUrls.visitors : setup.roleUrls.agents) : urls);
  const url = (ns: '/visitor' | '/agent', i: number) => urlsOf(ns)[i % urlsOf(ns).length];
  const visitorSockets: VisitorSocket[] = [];
  const agentSockets: AgentSocket[] = [];
  const visitorSides: Side[] = [];
  const agentSides: Side[] = [];
  /** conversationId → [visitor side, agent side] */
  const byConversation = new Map<string, [Side, Side]>();

  const e2e = createRecorder();
  const ackLatency = createRecorder();
  const sendLag = createRecorder();
  let measuring = false;
  // Messages sent in [windowStart, windowEnd) are followed to their delivery, even after the window.
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let stopping = false;
  let acked = 0;
  let sentInWindow = 0;
  let delivered = 0;
  let outOfOrder = 0;
  let errors: Record<string, number> = {};
  const pad = 'x'.repeat(p.bodyBytes);

  function onMessage(receiver: 0 | 1, m: { conversationId: string; seq: number; body: string; author: { kind: string } }) {
    // The receiver is the visitor (0) or the agent (1); skip echoes of its own side.
    if ((receiver === 0) === (m.author.kind === 'visitor')) return;
    // seq 1 is the visitor's opening message, sent before the agent claimed. Through a cluster of
    // relays its copy may reach the agent's node after the claim (Redis is slower than the claim),
    // and so the agent: late, outside every window, and not a break of the order that follows.
    if (m.seq === 1) return;
    const pair = byConversation.get(m.conversationId);
    if (!pair) return;
    const side = pair[receiver];
    if (m.seq <= side.lastSeqSeen) outOfOrder++;
    side.lastSeqSeen = m.seq;
    const sentAt = Number.parseFloat(m.body);
    if (sentAt >= windowStart && sentAt < windowEnd) {
      delivered++;
      e2e.record(performance.now() - sentAt);
    }
  }

  function send(side: Side, scheduledAt: number | null) {
    if (stopping || side.sent >= p.maxPerSide) return;
    const sentAt = performance.now();
    if (measuring && scheduledAt !== null) sendLag.record(sentAt - scheduledAt);
    side.sent++;
    side.outstanding++;
    if (measuring) sentInWindow++;
    // The widget's and the console's own ids (time-ordered): where they land in the store's index matters.
    const clientId = newClientId();
    const body = `${sentAt.toFixed(3)} ${pad}`;
    const done = (result: Ack<{ message: Message }> | TimedOut) => {
      side.outstanding--;
      if (measuring) {
        if (result.ok) acked++;
        else countError(errors, result);
      }
      if (result.ok && sentAt >= windowStart && sentAt < windowEnd) ackLatency.record(performance.now() - sentAt);
      if (p.mode === 'closed') send(side, null);
    };
    // No timeout: a closed loop waits for every ack, however late.
    if (side.author === 'visitor') request(side.socket, 'message:send', { clientId, body }, null, done);
    else request(side.socket, 'message:send', { conversationId: side.conversationId, clientId, body }, null, done);
  }

  function startRate(side: Side) {
    const period = 1000 / p.ratePerSide;
    let nextAt = performance.now() + Math.random() * period;
    const tick = () => {
      send(side, nextAt);
      // No catching up in bursts: a late generator shows as send lag, not as a burst.
      nextAt = Math.max(nextAt + period, performance.now());
      if (!stopping) side.timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
    };
    side.timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
  }

  return {
    async step(name) {
      const t0 = performance.now();
      if (name === 'connect') {
        const connectTimes = createRecorder();
        const open = (ns: '/visitor' | '/agent', credential: string, i: number) => {
          const c0 = performance.now();
          return connect({ kind, url: url(ns, i), ns, credential, transport: p.transport }).then((s) => {
            connectTimes.record(performance.now() - c0);
            return s;
          });
        };
        agentSockets.push(...(await mapLimit(identities.agents.slice(0, agentCount), p.connectConcurrency, (c, i) => open('/agent', c, i))));
        visitorSockets.push(...(await mapLimit(identities.visitors, p.connectConcurrency, (c, i) => open('/visitor', c, i))));
        agentSockets.forEach((s) => s.on('message', (m) => onMessage(1, m)));
        visitorSockets.forEach((s) => s.on('message', (m) => onMessage(0, m)));
        return { ms: performance.now() - t0, connect: connectTimes.snapshot() };
      }
      if (name === 'open') {
        // The visitor's first message opens a queued conversation; its agent claims it.
        await mapLimit(visitorSockets, p.connectConcurrency, async (socket, i) => {
          const ack = await requestAsync(socket, 'message:send', { clientId: `open-${setup.index}-${i}`, body: 'hello' });
          if (!ack.ok) throw new Error(`opening a conversation: ${ack.error.code} ${ack.error.message}`);
          const conversationId = ack.message.conversationId;
          const agentSocket = agentSockets[Math.floor(i / p.perAgent)];
          const claim = await requestAsync(agentSocket, 'conversation:claim', { conversationId });
          if (!claim.ok) throw new Error(`claiming: ${claim.error.code} ${claim.error.message}`);
          const state = (): SideState => ({ conversationId, sent: 0, outstanding: 0, lastSeqSeen: 1, timer: null });
          const pair: [Side, Side] = [
            { ...state(), author: 'visitor', socket },
            { ...state(), author: 'agent', socket: agentSocket },
          ];
          byConversation.set(conversationId, pair);
          visitorSides.push(pair[0]);
          agentSides.push(pair[1]);
        });
        return { ms: performance.now() - t0, conversations: byConversation.size };
      }
      throw new Error(`chat: unknown step ${name}`);
    },

    start() {
      for (const side of [...visitorSides, ...agentSides]) {
        if (p.mode === 'rate') startRate(side);
        else for (let k = 0; k < p.inFlight; k++) send(side, null);
      }
    },

    measure() {
      e2e.reset();
      ackLatency.reset();
      sendLag.reset();
      acked = 0;
      sentInWindow = 0;
      delivered = 0;
      errors = {};
      windowStart = performance.now();
      measuring = true;
    },

    async stop() {
      windowEnd = performance.now();
      measuring = false;
      stopping = true;
      const counted = { windowMs: windowEnd - windowStart, acked, sent: sentInWindow, errors: { ...errors } };
      const sides = [...visitorSides, ...agentSides];
      for (const s of sides) if (s.timer) clearTimeout(s.timer);
      // Let what is in flight land (bounded): deliveries of the window's messages still count.
      const deadline = performance.now() + 5000;
      while (sides.some((s) => s.outstanding > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      return {
        ...counted,
        delivered,
        e2e: e2e.snapshot(),
        ack: ackLatency.snapshot(),
        sendLag: sendLag.snapshot(),
        outOfOrder,
        pendingAtEnd: sides.reduce((a, s) => a + s.outstanding, 0),
      };
    },

    async close() {
      stopping = true;
      closeAll([...visitorSockets, ...agentSockets]);
    },
  };
}
