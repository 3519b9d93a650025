// /agent: the agent console's connection. Transport only — validate, call the core, ack.

import { parsePage } from '../core/dashboard.ts';
import { toConversation, toMessage, toVisitor } from '../core/mappers.ts';
import type { AckedEvents } from '../protocol/acked.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { AgentClientEvents } from '../protocol/events.ts';
import { personKey } from '../core/presence-registry.ts';
import { ConnectionState, type RealtimeContext, trackPresence } from './context.ts';
import { agentHandshake } from './handshake.ts';
import { acked, fireAndForget, respond } from './respond.ts';
import { parse } from './schemas.ts';
import { type AgentSocket, room } from './types.ts';

export function registerAgentNamespace(ctx: RealtimeContext): void {
  const { ns, store, conversations, registry, queue, fanout, schemas, logger, config, overloaded } = ctx;
  const nsp = ns.agent;
  nsp.use(agentHandshake(store, logger, { adminOnly: false, trustProxy: config.trustProxy !== false, now: () => ctx.clock.now() }));

  async function sendSnapshot(socket: AgentSocket) {
    const snapshot = await queue.snapshot();
    socket.emit('queue', { conversations: snapshot.map(({ conversation, position }) => toConversation(conversation, position)) });
    const mine = await store.listConversations({ agentId: socket.data.agent.id, status: 'active', limit: 1000 });
    socket.join(mine.map((c) => room.conversation(c.id)));
    for (const c of mine) {
      socket.emit('conversation', toConversation(c));
      if (await registry.isAnnounced(personKey('visitor', c.visitorId))) {
        socket.emit('presence', {
          conversationId: c.id,
          action: 'join',
          participant: { kind: 'visitor', id: c.visitorId, name: c.visitorName },
        });
      }
    }
  }

  nsp.on('connection', (socket: AgentSocket) => {
    const c = new ConnectionState({ logger, ns: '/agent', socketId: socket.id, messageRateLimit: config.messageRateLimit, overloaded });
    const log = () => c.log();
    const { messages, events } = c;
    const send = <T>(work: () => Promise<T>) => c.send(work);
    const agent = () => socket.data.agent;
    const person = () => ({ kind: 'agent' as const, id: socket.data.agent.id, name: socket.data.agent.name });

    socket.join([room.agent(agent().id), room.session(socket.data.sessionId), room.queue]);
    socket.on('disconnect', () => c.close());
    // Socket.IO's typed listeners fix the ack's position, but it is wherever the client put it (the last
    // argument): acked() finds it, so a call with a missing or extra argument is answered, not dropped.
    const onAcked = (event: AckedEvents<AgentClientEvents>, handler: (input: unknown, ack: unknown) => void) =>
      socket.on(event, (...args: unknown[]) => {
        const { input, ack } = acked(args);
        handler(input, ack);
      });
    trackPresence(ctx, socket, person, () => sendSnapshot(socket), log);

    const transition = (
      event: 'conversation:claim' | 'conversation:release' | 'conversation:close',
      run: (conversationId: string) => Promise<import('../store/store.ts').ConversationRecord>,
    ) =>
      onAcked(event, (input, ack) =>
        respond(ack, log, event, async () => {
          events.take();
          const { conversationId } = parse(schemas.conversationRef, input);
          const c = await run(conversationId);
          return { conversation: toConversation(c, c.status === 'queued' ? await queue.positionOf(c.id) : null) };
        }),
      );

    // The claim is one conditional update in the store: nodes can race here.
    transition('conversation:claim', (id) => conversations.claim(agent(), id));
    transition('conversation:release', (id) => conversations.release(agent(), id));
    transition('conversation:close', (id) => conversations.close(agent(), id));

    onAcked('conversation:transfer', (input, ack) =>
      respond(ack, log, 'conversation:transfer', async () => {
        events.take();
        const { conversationId, agentId } = parse(schemas.transfer, input);
        return { conversation: toConversation(await conversations.transfer(agent(), conversationId, agentId)) };
      }),
    );

    onAcked('message:send', (input, ack) =>
      respond(ack, log, 'message:send', async () => {
        messages.take();
        const { conversationId, clientId, body } = parse(schemas.agentSend, input);
        const message = await send(() => conversations.sendAgentMessage(agent(), { conversationId, clientId, body }, socket.id));
        return { message: toMessage(message) };
      }),
    );

    onAcked('history:get', (input, ack) =>
      respond(ack, log, 'history:get', async () => {
        events.take();
        const { conversationId, ...query } = parse(schemas.agentHistory, input);
        return c.heavy(async () => {
          const { conversation, messages: list } = await conversations.agentHistory(agent(), conversationId, query);
          const position = conversation.status === 'queued' ? await queue.positionOf(conversation.id) : null;
          return { conversation: toConversation(conversation, position), messages: list.map(toMessage) };
        });
      }),
    );

    socket.on('typing', (input) =>
      fireAndForget(log, 'typing', async () => {
        if (!events.tryTake()) return;
        const { conversationId, typing } = parse(schemas.agentTyping, input);
        await conversations.agentTyping(agent(), conversationId, typing, socket.id);
      }),
    );

    socket.on('read', (input) =>
      fireAndForget(log, 'read', async () => {
        if (!events.tryTake()) return;
        const { conversationId, seq } = parse(schemas.agentRead, input);
        await conversations.agentRead(agent(), conversationId, seq);
      }),
    );

    onAcked('visitor:get', (input, ack) =>
      respond(ack, log, 'visitor:get', async () => {
        events.take();
        const { conversationId } = parse(schemas.conversationRef, input);
        return c.heavy(async () => {
          const conversation = await conversations.requireViewable(agent(), conversationId);
          const key = personKey('visitor', conversation.visitorId);
          const [v, online, attrs] = await Promise.all([store.getVisitor(conversation.visitorId), registry.isAnnounced(key), registry.getAttrs(key)]);
          if (!v) throw new AppError(ErrorCode.NotFound, 'no such visitor');
          return { visitor: { ...toVisitor(v), online, page: online ? parsePage(attrs.page) : null } };
        });
      }),
    );

    onAcked('status:set', (input, ack) =>
      respond(ack, log, 'status:set', async () => {
        events.take();
        const { status } = parse(schemas.statusSet, input);
        await registry.setAttr(personKey('agent', agent().id), 'status', status);
        fanout.agentStatusChanged();
        return {};
      }),
    );
  });
}
