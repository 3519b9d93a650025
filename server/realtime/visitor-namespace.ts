// /visitor: the widget's connection. Transport only — validate, call the core, ack.

import { toConversation, toMessage, toVisitor } from '../core/mappers.ts';
import { personKey } from '../core/presence-registry.ts';
import type { ConversationRecord } from '../store/store.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { VisitorClientEvents } from '../protocol/events.ts';
import { ConnectionState, type RealtimeContext, trackPresence } from './context.ts';
import { visitorHandshake } from './handshake.ts';
import { acked, fireAndForget, respond } from './respond.ts';
import { parse } from './schemas.ts';
import { type VisitorSocket, room } from './types.ts';

export function registerVisitorNamespace(ctx: RealtimeContext): void {
  const { ns, store, conversations, registry, queue, fanout, schemas, logger, config, overloaded } = ctx;
  const nsp = ns.visitor;
  nsp.use(visitorHandshake(store, logger, () => ctx.clock.now()));

  async function withPosition(c: ConversationRecord) {
    return toConversation(c, c.status === 'queued' ? await queue.positionOf(c.id) : null);
  }

  async function sendSnapshot(socket: VisitorSocket) {
    const visitor = socket.data.visitor;
    const current = await store.getCurrentConversation(visitor.id);
    if (current && current.status !== 'closed') {
      socket.join(room.conversation(current.id));
      socket.emit('conversation', await withPosition(current));
      if (current.agentId && (await registry.isAnnounced(personKey('agent', current.agentId)))) {
        socket.emit('presence', {
          conversationId: current.id,
          action: 'join',
          participant: { kind: 'agent', id: current.agentId, name: current.agentName ?? '' },
        });
      }
    }
    socket.emit('availability', { agentsOnline: await fanout.agentsAvailable() });
  }

  // Handlers shared by every connection (`this` is the socket); its own state is in `states`.
  const states = new WeakMap<VisitorSocket, ConnectionState>();
  const state = (socket: VisitorSocket) => states.get(socket)!;
  const visitor = (socket: VisitorSocket) => socket.data.visitor;
  const person = (socket: VisitorSocket) => ({ kind: 'visitor' as const, id: socket.data.visitor.id, name: socket.data.visitor.name });

  const handlers = {
    'message:send'(this: VisitorSocket, ...args: unknown[]) {
      const c = state(this);
      const { input, ack } = acked(args);
      respond(ack, () => c.log(), 'message:send', async () => {
        c.messages.take();
        const { clientId, body } = parse(schemas.visitorSend, input);
        const message = await c.send(() => conversations.sendVisitorMessage(visitor(this), { clientId, body }, this.id));
        return { message: toMessage(message) };
      });
    },

    'history:get'(this: VisitorSocket, ...args: unknown[]) {
      const c = state(this);
      const { input, ack } = acked(args);
      respond(ack, () => c.log(), 'history:get', async () => {
        c.events.take();
        const query = parse(schemas.visitorHistory, input);
        return c.heavy(async () => {
          const { conversation, messages: list } = await conversations.visitorHistory(visitor(this).id, query);
          return { conversation: conversation && (await withPosition(conversation)), messages: list.map(toMessage) };
        });
      });
    },

    typing(this: VisitorSocket, input: unknown) {
      const c = state(this);
      fireAndForget(() => c.log(), 'typing', async () => {
        if (!c.events.tryTake()) return;
        const { typing } = parse(schemas.visitorTyping, input);
        await conversations.visitorTyping(visitor(this), typing, this.id);
      });
    },

    read(this: VisitorSocket, input: unknown) {
      const c = state(this);
      fireAndForget(() => c.log(), 'read', async () => {
        if (!c.events.tryTake()) return;
        const { seq } = parse(schemas.visitorRead, input);
        await conversations.visitorRead(visitor(this), seq);
      });
    },

    'profile:update'(this: VisitorSocket, ...args: unknown[]) {
      const c = state(this);
      const { input, ack } = acked(args);
      respond(ack, () => c.log(), 'profile:update', async () => {
        c.events.take();
        const patch = parse(schemas.profileUpdate, input);
        const updated = await store.updateVisitor(visitor(this).id, patch);
        if (!updated) throw new AppError(ErrorCode.NotFound, 'visitor is gone');
        this.data.visitor = { id: updated.id, name: updated.name, email: updated.email };
        const current = await store.getCurrentConversation(updated.id);
        if (current && current.status !== 'closed') fanout.conversationUpdated(current, await queue.positionOf(current.id));
        fanout.dashboardChanged();
        return { visitor: toVisitor(updated) };
      });
    },

    'page:view'(this: VisitorSocket, input: unknown) {
      const c = state(this);
      fireAndForget(() => c.log(), 'page:view', async () => {
        if (!c.events.tryTake()) return;
        const { url, title } = parse(schemas.pageView, input);
        await registry.setAttr(personKey('visitor', visitor(this).id), 'page', JSON.stringify({ url, title: title ?? null }));
        fanout.dashboardChanged();
      });
    },
  } satisfies Record<keyof VisitorClientEvents, (this: VisitorSocket, ...args: unknown[]) => void>;
  const listeners = Object.entries(handlers) as Array<[keyof VisitorClientEvents, (this: VisitorSocket, ...args: unknown[]) => void]>;

  nsp.on('connection', (socket: VisitorSocket) => {
    const c = new ConnectionState({ logger, ns: '/visitor', socketId: socket.id, messageRateLimit: config.messageRateLimit, overloaded });
    states.set(socket, c);
    socket.on('disconnect', () => c.close());

    // No session room for visitors (one room less per connection, the most numerous kind):
    // their session ends through the visitor room (disconnectSession) or by socket (watchSessions).
    socket.join(room.visitor(visitor(socket).id));
    trackPresence(ctx, socket, () => person(socket), () => sendSnapshot(socket), () => c.log());

    for (const [event, fn] of listeners) socket.on(event, fn);
  });
}
