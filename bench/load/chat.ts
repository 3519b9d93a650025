// Conversations between visitors and agents (scenarios saturation, steady,
// polling). Each agent holds `perAgent` conversations on one connection, as
// real agents do. Load is either closed-loop (each side keeps `inFlight`
// messages unacknowledged) or open-loop (each side sends `ratePerSide`/s).
// A message's body starts with its send time, so the peer — in this same
// process — measures end-to-end latency on one clock.

import { newClientId } from '../../client/lib/ids.ts';
import type { Ack } from '../../server/protocol/errors.ts';
import type { Message } from '../../server/protocol/shapes.ts';
import { createRecorder, type Histogram, type Recorder } from '../lib/histogram.ts';
import { mapLimit } from '../lib/stats.ts';
import { type AgentSocket, type TimedOut, type VisitorSocket, closeAll, connect, countError, request, requestAsync } from './client.ts';
import type { GeneratorSetup, LoadPhase, Transport, Workload } from './protocol.ts';

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
  /**
   * Scenario overload: follow every send from the first phase on, in buckets of this many ms by
   * send time (sent, acked, refused, end-to-end latency), keep what was acked and refused for the
   * `verify` step, and time the refusals. 0: off.
   */
  timelineBucketMs?: number;
  /** Scenario overload: an ack later than this (or none) counts as a send left without an answer. */
  lateAckMs?: number;
}

/** One bucket of the overload timeline: the sends of that slice of time, by what became of them. */
export interface TimelineBucket {
  sent: number;
  acked: number;
  refused: number;
  failed: number;
  e2e: Histogram;
}

/** What a phase did (counted by ack time: throughput), answered when the next phase begins. */
export interface PhaseCounts {
  ms: number;
  sent: number;
  acked: number;
  refused: number;
  failed: number;
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
  /** The closed loop this side runs in (see `loop`); an older one's acks send nothing more. */
  loop: number;
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
  // Closed loops: the current one's number, and whether it runs (phases end loops without waiting for their acks).
  let loop = 0;
  let closedActive = false;

  // Scenario overload (timelineBucketMs > 0): every send followed, by send time.
  const bucketMs = p.timelineBucketMs ?? 0;
  const lateAckMs = p.lateAckMs ?? 5000;
  let t0 = -1;
  const timeline: Array<{ sent: number; acked: number; refused: number; failed: number; e2e: Recorder }> = [];
  const bucketAt = (sentAt: number) => {
    const i = Math.max(0, Math.floor((sentAt - t0) / bucketMs));
    while (timeline.length <= i) timeline.push({ sent: 0, acked: 0, refused: 0, failed: 0, e2e: createRecorder() });
    return timeline[i];
  };
  const refusalLatency = createRecorder();
  let lateAcks = 0;
  let phaseCounts: PhaseCounts = { ms: 0, sent: 0, acked: 0, refused: 0, failed: 0 };
  let phaseStart = 0;
  /** conversationId → seq → message id, of every acked send; and the clientIds refused there. */
  const ackedIds = new Map<string, Map<number, string>>();
  const refusedClientIds = new Map<string, Set<string>>();

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
    if (bucketMs > 0 && t0 >= 0 && sentAt >= t0) bucketAt(sentAt).e2e.record(performance.now() - sentAt);
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
    const following = bucketMs > 0 && t0 >= 0;
    if (following) {
      bucketAt(sentAt).sent++;
      phaseCounts.sent++;
    }
    const myLoop = side.loop;
    const done = (result: Ack<{ message: Message }> | TimedOut) => {
      side.outstanding--;
      if (measuring && result.ok) acked++;
      // A failure counts against the window its send was in, whenever its answer comes (a refusal
      // may come after the window ends): sent − delivered − failed is then what never arrived.
      if (!result.ok && sentAt >= windowStart && sentAt < windowEnd) countError(errors, result);
      if (result.ok && sentAt >= windowStart && sentAt < windowEnd) ackLatency.record(performance.now() - sentAt);
      if (following) follow(side, clientId, sentAt, result);
      if (closedActive && myLoop === loop) send(side, null);
    };
    // No timeout: a closed loop waits for every ack, however late.
    if (side.author === 'visitor') request(side.socket, 'message:send', { clientId, body }, null, done);
    else request(side.socket, 'message:send', { conversationId: side.conversationId, clientId, body }, null, done);
  }

  /** Scenario overload: what became of one send. */
  function follow(side: Side, clientId: string, sentAt: number, result: Ack<{ message: Message }> | TimedOut) {
    const latency = performance.now() - sentAt;
    if (latency > lateAckMs) lateAcks++;
    const bucket = bucketAt(sentAt);
    if (result.ok) {
      bucket.acked++;
      phaseCounts.acked++;
      let bySeq = ackedIds.get(side.conversationId);
      if (!bySeq) ackedIds.set(side.conversationId, (bySeq = new Map()));
      bySeq.set(result.message.seq, result.message.id);
    } else if (result.error.code === 'unavailable') {
      bucket.refused++;
      phaseCounts.refused++;
      refusalLatency.record(latency);
      let refused = refusedClientIds.get(side.conversationId);
      if (!refused) refusedClientIds.set(side.conversationId, (refused = new Set()));
      refused.add(clientId);
    } else {
      bucket.failed++;
      phaseCounts.failed++;
      countError(errors, result);
    }
  }

  function stopLoad(sides: Side[]) {
    closedActive = false;
    loop++;
    for (const s of sides) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
    }
  }

  /** Scenario overload: the acked messages all in the history, the refused ones nowhere; bounded in time. */
  async function verify() {
    const deadline = performance.now() + 120_000;
    let checked = 0;
    let lost = 0;
    let refusedStored = 0;
    let unreadable = 0;
    const pairs = [...byConversation.values()];
    await mapLimit(pairs, 8, async ([, agentSide]) => {
      const conversationId = agentSide.conversationId;
      const acked = ackedIds.get(conversationId) ?? new Map<number, string>();
      const refused = refusedClientIds.get(conversationId) ?? new Set<string>();
      if (acked.size === 0 && refused.size === 0) return;
      const found = new Map<number, string>();
      let afterSeq = 0;
      for (;;) {
        if (performance.now() > deadline) {
          unreadable++;
          return;
        }
        const page = await requestAsync(agentSide.socket as AgentSocket, 'history:get', { conversationId, afterSeq, limit: 200 }, 10_000);
        if (!page.ok) {
          unreadable++;
          return;
        }
        for (const m of page.messages) {
          found.set(m.seq, m.id);
          if (refused.has(m.clientId)) refusedStored++;
        }
        if (page.messages.length < 200) break;
        afterSeq = page.messages[page.messages.length - 1].seq;
      }
      for (const [seq, id] of acked) {
        checked++;
        if (found.get(seq) !== id) lost++;
      }
    });
    return { checked, lost, refusedStored, unreadable };
  }

  function startRate(side: Side, ratePerSide = p.ratePerSide) {
    const period = 1000 / ratePerSide;
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
          const state = (): SideState => ({ conversationId, sent: 0, outstanding: 0, lastSeqSeen: 1, timer: null, loop: 0 });
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
      if (name === 'verify') return { ms: performance.now() - t0, ...(await verify()) };
      if (name === 'settle') {
        // Waits (at most 15 s) until every send has its answer: a phase's tail does not leak into the next.
        const sides = [...visitorSides, ...agentSides];
        const deadline = performance.now() + 15_000;
        while (sides.some((s) => s.outstanding > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        return { ms: performance.now() - t0, outstanding: sides.reduce((a, s) => a + s.outstanding, 0) };
      }
      throw new Error(`chat: unknown step ${name}`);
    },

    start() {
      closedActive = p.mode === 'closed';
      for (const side of [...visitorSides, ...agentSides]) {
        if (p.mode === 'rate') startRate(side);
        else for (let k = 0; k < p.inFlight; k++) send(side, null);
      }
    },

    phase(next: LoadPhase) {
      const now = performance.now();
      if (t0 < 0) t0 = now;
      const ended = { ...phaseCounts, ms: phaseStart ? now - phaseStart : 0 };
      phaseCounts = { ms: 0, sent: 0, acked: 0, refused: 0, failed: 0 };
      phaseStart = now;
      const sides = [...visitorSides, ...agentSides];
      stopLoad(sides);
      if (next.mode === 'rate') for (const side of sides) startRate(side, next.ratePerSide);
      if (next.mode === 'closed') {
        closedActive = true;
        const pairs = [...byConversation.values()].slice(0, next.conversations);
        for (const pair of pairs) {
          for (const side of pair) {
            side.loop = loop;
            for (let k = 0; k < next.inFlight; k++) send(side, null);
          }
        }
      }
      return { ...ended, t: now - t0 };
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
      windowEnd = Infinity;
      measuring = true;
    },

    async stop() {
      windowEnd = performance.now();
      measuring = false;
      stopping = true;
      const counted = { windowMs: windowEnd - windowStart, acked, sent: sentInWindow };
      const sides = [...visitorSides, ...agentSides];
      stopLoad(sides);
      // Let what is in flight land (bounded): deliveries of the window's messages still count.
      const deadline = performance.now() + 5000;
      while (sides.some((s) => s.outstanding > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // An ack comes from the sender's node after the commit; the peer's copy may come later (through
      // Redis in a cluster, behind a queue under load): wait until deliveries stop coming, 200 ms
      // quiet at least, 10 s at most, so a late message is not counted as undelivered.
      const settleBy = performance.now() + 10_000;
      for (let seen = -1; seen !== delivered && performance.now() < settleBy; ) {
        seen = delivered;
        await new Promise((r) => setTimeout(r, 200));
      }
      return {
        ...counted,
        // Read after the waits above: the answers to the window's last sends are in.
        errors: { ...errors },
        delivered,
        e2e: e2e.snapshot(),
        ack: ackLatency.snapshot(),
        sendLag: sendLag.snapshot(),
        outOfOrder,
        pendingAtEnd: sides.reduce((a, s) => a + s.outstanding, 0),
        ...(bucketMs > 0
          ? {
              timeline: timeline.map((b): TimelineBucket => ({ sent: b.sent, acked: b.acked, refused: b.refused, failed: b.failed, e2e: b.e2e.snapshot() })),
              refusal: refusalLatency.snapshot(),
              lateAcks,
              errors: { ...errors },
            }
          : {}),
      };
    },

    async close() {
      stopping = true;
      closeAll([...visitorSockets, ...agentSockets]);
    },
  };
}
