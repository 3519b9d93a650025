// Who receives each domain event. Every rule about audiences lives here:
// conversation events reach both namespaces' `conversation:<id>` room, queue
// events the agents' `queue` room, online events the admins.

import { logFailure } from '../edge/failures.ts';
import type { Clock } from '../clock.ts';
import type { DomainEvents, Person } from '../core/events.ts';
import { toConversation, toMessage, toNote, visitorParticipant, agentParticipant } from '../core/mappers.ts';
import { personKey, type PresenceRegistry } from '../core/presence-registry.ts';
import type { Logger } from '../logger.ts';
import type { Participant, PresenceEvent } from '../protocol/shapes.ts';
import { createMessageSequencer } from './message-sequencer.ts';
import type { ConversationRecord, Store } from '../store/store.ts';
import type { Namespace } from 'socket.io';
import type { Availability, VisitorServerEvents } from '../protocol/events.ts';
import { type Namespaces, room } from './types.ts';

const MESSAGE_EVENT = 'parley:message';

type SharedEvents = Pick<VisitorServerEvents, 'conversation' | 'message' | 'presence' | 'typing' | 'read'>;
type SharedNamespace = Namespace<Record<string, never>, SharedEvents>;

export interface Fanout extends DomainEvents {
  /** Business hours opened, closed or were changed: this node tells its own widgets (every node does). */
  hoursChanged(): void;
  /** Resolve when the person's joins/leaves in their open conversations have been sent. */
  personOnline(person: Person): Promise<void>;
  personOffline(person: Person): Promise<void>;
  close(): void;
}

export function createFanout(deps: {
  ns: Namespaces;
  store: Store;
  registry: PresenceRegistry;
  logger: Logger;
  clock: Clock;
  /** Several nodes: messages travel between them as server-side events and each node sequences its own sockets. */
  clustered: boolean;
  /** What widgets are told of who can answer now (the desk builds it). */
  availability: () => Promise<Availability>;
}): Fanout {
  const { ns, store, registry, logger, clustered } = deps;
  const fail = (what: string) => (err: unknown) => logFailure(logger.child({ what }), 'fanout.failed', err);

  // Both namespaces share these events' shapes; one typed view over the two.
  const shared: SharedNamespace[] = [ns.visitor, ns.agent];

  /**
   * Whether this node has a socket in `name` other than `except`. A broadcast encodes
   * its packet before looking for recipients, and most conversation rooms hold one
   * namespace's sockets only (a queued conversation has no agent, a visitor one tab).
   */
  function hasLocalRecipients(nsp: SharedNamespace, name: string, except: string | null | undefined): boolean {
    const members = nsp.adapter.rooms.get(name);
    return members !== undefined && members.size > 0 && !(except && members.size === 1 && members.has(except));
  }

  /** "To a conversation" = its room in /visitor and in /agent (SPEC §4). */
  function toConversationRoom<E extends keyof SharedEvents>(
    conversationId: string,
    event: E,
    payload: Parameters<SharedEvents[E]>[0],
    opts: { except?: string | null } = {},
  ) {
    const name = room.conversation(conversationId);
    for (const nsp of shared) {
      // Other nodes' members are not known here: in a cluster every emit goes to the adapter.
      if (!clustered && !hasLocalRecipients(nsp, name, opts.except)) continue;
      let target = nsp.to(name);
      if (opts.except) target = target.except(opts.except);
      (target.emit as (ev: E, p: typeof payload) => boolean)(event, payload);
    }
  }

  function emitConversation(c: ConversationRecord, position: number | null = null) {
    toConversationRoom(c.id, 'conversation', toConversation(c, position));
  }

  function emitPresence(conversationId: string, action: PresenceEvent['action'], participant: Participant) {
    toConversationRoom(conversationId, 'presence', { conversationId, action, participant });
  }

  /** An agent's presence in a conversation starts/ends with the assignment, if they are online at all. */
  async function agentPresence(c: ConversationRecord, action: PresenceEvent['action']) {
    const agent = agentParticipant(c);
    if (agent && (await registry.isAnnounced(personKey('agent', agent.id)))) emitPresence(c.id, action, agent);
  }

  /** Tells a newly assigned agent that the visitor is here (their first view of this participant). */
  async function visitorSnapshotTo(agentId: string, c: ConversationRecord) {
    if (await registry.isAnnounced(personKey('visitor', c.visitorId))) {
      ns.agent.to(room.agent(agentId)).emit('presence', { conversationId: c.id, action: 'join', participant: visitorParticipant(c) });
    }
  }

  async function openConversationsOf(person: Person): Promise<ConversationRecord[]> {
    if (person.kind === 'agent') return store.listConversations({ agentId: person.id, status: 'active' });
    const c = await store.getCurrentConversation(person.id);
    return c && c.status !== 'closed' ? [c] : [];
  }

  // Messages reach this node's sockets only through the sequencer, in seq order.
  const sequencer = createMessageSequencer({
    store,
    logger,
    clock: deps.clock,
    deliver(message, origin) {
      const name = room.conversation(message.conversationId);
      for (const nsp of shared) {
        // Local delivery: skip a room holding nobody but the sender (it has the ack).
        if (!hasLocalRecipients(nsp, name, origin)) continue;
        const target = nsp.local.to(name);
        (origin ? target.except(origin) : target).emit('message', message);
      }
    },
  });
  if (clustered) {
    ns.visitor.on(MESSAGE_EVENT, (m, origin) => sequencer.accept(m, origin));
  }

  let availabilityTimer: NodeJS.Timeout | null = null;
  function availabilityChanged() {
    if (availabilityTimer) return;
    availabilityTimer = setTimeout(() => {
      availabilityTimer = null;
      deps
        .availability()
        // No "unchanged, skip" here: another node may have told visitors something else since.
        .then((a) => ns.visitor.emit('availability', a))
        .catch(fail('availability'));
    }, 50);
  }

  let dashboardTimer: NodeJS.Timeout | null = null;

  const fanout: Fanout = {
    conversationOpened(c, position) {
      ns.visitor.in(room.visitor(c.visitorId)).socketsJoin(room.conversation(c.id));
      const payload = toConversation(c, position);
      ns.visitor.to(room.visitor(c.visitorId)).emit('conversation', payload);
      ns.agent.to(room.queue).emit('queue:add', payload);
      fanout.dashboardChanged();
    },

    messageCreated(message, _c, origin) {
      const payload = toMessage(message);
      if (clustered) ns.visitor.serverSideEmit(MESSAGE_EVENT, payload, origin);
      sequencer.accept(payload, origin);
    },

    noteAdded(note, origin, fresh) {
      // Private: the /agent namespace only — the conversation's agent, every admin, the author's other
      // tabs — and never /visitor, whatever else changes here (docs/protocol.md, "Private notes").
      const payload = toNote(note);
      let target = ns.agent.to([room.conversation(note.conversationId), room.admins, room.agent(note.authorId)]);
      if (origin) target = target.except(origin);
      target.emit('note', payload);
      // A re-sent note is fanned out again (clients de-duplicate by id), but names no one twice.
      if (fresh) for (const m of note.mentions) ns.agent.to(room.agent(m.id)).emit('mention', { conversationId: note.conversationId, note: payload });
    },

    conversationClaimed(c) {
      ns.agent.to(room.queue).emit('queue:remove', { conversationId: c.id, reason: 'claimed' });
      ns.agent.in(room.agent(c.agentId!)).socketsJoin(room.conversation(c.id));
      emitConversation(c);
      agentPresence(c, 'join')
        .then(() => visitorSnapshotTo(c.agentId!, c))
        .catch(fail('claim.presence'));
      fanout.dashboardChanged();
    },

    conversationAssigned(c) {
      ns.agent.to(room.queue).emit('queue:remove', { conversationId: c.id, reason: 'assigned' });
      ns.agent.in(room.agent(c.agentId!)).socketsJoin(room.conversation(c.id));
      // Nobody asked for it, so no ack carries it: the agent's sockets are told directly (another node's
      // join of the room may land after the room's event); the visitor hears it in the room.
      const payload = toConversation(c);
      ns.agent.to(room.agent(c.agentId!)).emit('conversation', payload);
      ns.visitor.to(room.conversation(c.id)).emit('conversation', payload);
      agentPresence(c, 'join')
        .then(() => visitorSnapshotTo(c.agentId!, c))
        .catch(fail('assign.presence'));
      fanout.dashboardChanged();
    },

    conversationReleased(c, previous, position) {
      emitConversation(c, position);
      agentPresence(previous, 'leave')
        .catch(fail('release.presence'))
        .finally(() => ns.agent.in(room.agent(previous.agentId!)).socketsLeave(room.conversation(c.id)));
      ns.agent.to(room.queue).emit('queue:add', toConversation(c, position));
      fanout.dashboardChanged();
    },

    conversationTransferred(c, previous) {
      emitConversation(c);
      const from = previous.agentId!;
      const to = c.agentId!;
      agentPresence(previous, 'leave')
        .then(() => {
          ns.agent.in(room.agent(from)).socketsLeave(room.conversation(c.id));
          ns.agent.in(room.agent(to)).socketsJoin(room.conversation(c.id));
          ns.agent.to(room.agent(to)).emit('conversation', toConversation(c));
          return agentPresence(c, 'join');
        })
        .then(() => visitorSnapshotTo(to, c))
        .catch(fail('transfer.presence'));
      fanout.dashboardChanged();
    },

    conversationClosed(c, previous) {
      if (previous.status === 'queued') ns.agent.to(room.queue).emit('queue:remove', { conversationId: c.id, reason: 'closed' });
      emitConversation(c);
      const leave = previous.status === 'active' ? agentPresence(previous, 'leave') : Promise.resolve();
      leave.catch(fail('close.presence')).finally(() => {
        if (previous.agentId) ns.agent.in(room.agent(previous.agentId)).socketsLeave(room.conversation(c.id));
        ns.visitor.in(room.visitor(c.visitorId)).socketsLeave(room.conversation(c.id));
      });
      fanout.dashboardChanged();
    },

    conversationUpdated(c, position) {
      // A queued conversation's room holds no agent (they leave it on release): its visitor hears it
      // there, and every agent's queue gets it again as `queue:add` (an upsert by id) with the new name.
      if (c.status === 'queued') {
        const payload = toConversation(c, position);
        ns.visitor.to(room.conversation(c.id)).emit('conversation', payload);
        ns.agent.to(room.queue).emit('queue:add', payload);
      } else emitConversation(c, position);
    },

    queuePositionChanged(c, position) {
      // Only the visitor: agents hold the queue in order and count places themselves. Telling every
      // agent about every conversation behind each claim would cost queue length × agents per claim.
      ns.visitor.to(room.conversation(c.id)).emit('conversation', toConversation(c, position));
    },

    typing(conversationId, participant, typing, origin) {
      // Not volatile: over long-polling a volatile packet is dropped whenever no poll is pending,
      // and polling clients must get the full product.
      toConversationRoom(conversationId, 'typing', { conversationId, participant, typing }, { except: origin });
    },

    read(conversationId, participant, seq) {
      toConversationRoom(conversationId, 'read', { conversationId, participant, seq });
    },

    personOnline(person) {
      ns.admin.to(room.admins).emit('online', { kind: person.kind, id: person.id, name: person.name, action: 'online' });
      if (person.kind === 'agent') availabilityChanged();
      fanout.dashboardChanged();
      // Awaited by the connection before it handles events: a claim sent the moment an agent
      // connects must not commit while this read is in flight, or both would announce the join.
      return openConversationsOf(person)
        .then((list) => {
          for (const c of list) emitPresence(c.id, 'join', person);
        })
        .catch(fail('online.presence'));
    },

    personOffline(person) {
      ns.admin.to(room.admins).emit('online', { kind: person.kind, id: person.id, name: person.name, action: 'offline' });
      if (person.kind === 'agent') availabilityChanged();
      fanout.dashboardChanged();
      return openConversationsOf(person)
        .then((list) => {
          for (const c of list) emitPresence(c.id, 'leave', person);
        })
        .catch(fail('offline.presence'));
    },

    dashboardChanged() {
      // Coalesced: a dashboard re-fetches `online:get`, so one nudge per 250 ms is plenty.
      if (dashboardTimer) return;
      dashboardTimer = setTimeout(() => {
        dashboardTimer = null;
        ns.admin.to(room.admins).emit('online:changed');
      }, 250);
    },

    hoursChanged() {
      deps
        .availability()
        .then((a) => ns.visitor.local.emit('availability', a))
        .catch(fail('availability.hours'));
    },

    agentStatusChanged() {
      availabilityChanged();
      fanout.dashboardChanged();
    },

    tagsChanged(conversationId, tags) {
      // Every agent socket is in `queue`, on every node (the adapter carries it in a cluster).
      ns.agent.to(room.queue).emit('tags', { conversationId, tags });
    },


    close() {
      sequencer.close();
      if (availabilityTimer) clearTimeout(availabilityTimer);
      if (dashboardTimer) clearTimeout(dashboardTimer);
    },
  };
  return fanout;
}
