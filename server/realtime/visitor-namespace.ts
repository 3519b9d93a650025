// /visitor: the widget's connection. Transport only — validate, call the core, ack.

import { toConversation, toMessage, toVisitor } from '../core/mappers.ts';
import { personKey } from '../core/presence-registry.ts';
import type { ConversationRecord } from '../store/store.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { type RealtimeContext, createSendGate, eventBudget, trackPresence } from './context.ts';
import { visitorHandshake } from './handshake.ts';
import { createRateLimiter } from './rate-limit.ts';
import { connectionLogger, fireAndForget, respond } from './respond.ts';
import { parse } from './schemas.ts';
import { type VisitorSocket, room } from './types.ts';

export function registerVisitorNamespace(ctx: RealtimeContext): void {
  const { ns, store, conversations, registry, queue, fanout, schemas, logger, config, overloaded } = ctx;
  const nsp = ns.visitor;
  nsp.use(visitorHandshake(store, logger));

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

  nsp.on('connection', (socket: VisitorSocket) => {
    const log = connectionLogger(logger, { ns: '/visitor', socket: socket.id });
    const visitor = () => socket.data.visitor;
    const person = () => ({ kind: 'visitor' as const, id: socket.data.visitor.id, name: socket.data.visitor.name });
    const messages = createRateLimiter(config.messageRateLimit);
    const events = createRateLimiter(eventBudget(config.messageRateLimit));
    const send = createSendGate(overloaded);

    socket.join([room.visitor(visitor().id), room.session(socket.data.sessionId)]);
    trackPresence(ctx, socket, person, () => sendSnapshot(socket), log);

    socket.on('message:send', (input, ack) =>
      respond(ack, log, 'message:send', async () => {
        messages.take();
        const { clientId, body } = parse(schemas.visitorSend, input);
        const message = await send(() => conversations.sendVisitorMessage(visitor(), { clientId, body }, socket.id));
        return { message: toMessage(message) };
      }),
    );

    socket.on('history:get', (input, ack) =>
      respond(ack, log, 'history:get', async () => {
        events.take();
        const query = parse(schemas.visitorHistory, input);
        const { conversation, messages: list } = await conversations.visitorHistory(visitor().id, query);
        return { conversation: conversation && (await withPosition(conversation)), messages: list.map(toMessage) };
      }),
    );

    socket.on('typing', (input) =>
      fireAndForget(log, 'typing', async () => {
        if (!events.tryTake()) return;
        const { typing } = parse(schemas.visitorTyping, input);
        await conversations.visitorTyping(visitor(), typing, socket.id);
      }),
    );

    socket.on('read', (input) =>
      fireAndForget(log, 'read', async () => {
        if (!events.tryTake()) return;
        const { seq } = parse(schemas.visitorRead, input);
        await conversations.visitorRead(visitor(), seq);
      }),
    );

    socket.on('profile:update', (input, ack) =>
      respond(ack, log, 'profile:update', async () => {
        events.take();
        const patch = parse(schemas.profileUpdate, input);
        const updated = await store.updateVisitor(visitor().id, patch);
        if (!updated) throw new AppError(ErrorCode.NotFound, 'visitor is gone');
        socket.data.visitor = { id: updated.id, name: updated.name, email: updated.email };
        const current = await store.getCurrentConversation(updated.id);
        if (current && current.status !== 'closed') fanout.conversationUpdated(current, await queue.positionOf(current.id));
        fanout.dashboardChanged();
        return { visitor: toVisitor(updated) };
      }),
    );

    socket.on('page:view', (input) =>
      fireAndForget(log, 'page:view', async () => {
        if (!events.tryTake()) return;
        const { url, title } = parse(schemas.pageView, input);
        await registry.setAttr(personKey('visitor', visitor().id), 'page', JSON.stringify({ url, title: title ?? null }));
        fanout.dashboardChanged();
      }),
    );
  });
}
