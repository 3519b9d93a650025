// /agent: the agent console's connection. Transport only — the handler table says, per event,
// which schema validates it and which core call it makes (handlers.ts applies the transport rules).

import { toConversation, toMessage, toNote } from '../core/mappers.ts';
import type { NoteService } from '../core/notes.ts';
import type { Tags } from '../core/tags.ts';
import { searchSchemas } from '../edge/search-schemas.ts';
import type { AgentClientEvents, ConsoleSettings } from '../protocol/events.ts';
import { ConnectionState, type NamespaceServices, trackPresence } from './context.ts';
import { bindHandlers, type HandlerTable } from './handlers.ts';
import { agentHandshake } from './handshake.ts';
import { type AgentNamespace, type AgentSocket, room } from './types.ts';
import type { RealtimeAgentTools } from './agent-tools.ts';

export interface AgentNamespaceDeps extends NamespaceServices {
  nsp: AgentNamespace;
  trustProxy: boolean;
  notes: NoteService;
  /** The team settings a console follows, as they are now. */
  consoleSettings(): ConsoleSettings;
  tags: Tags;
  tools: RealtimeAgentTools;
}

export function registerAgentNamespace(deps: AgentNamespaceDeps): void {
  const { nsp, conversations, visitors, desk, presence, queue, schemas, logger, notes, tools } = deps;
  nsp.use(agentHandshake(deps.sessions, logger, { adminOnly: false, trustProxy: deps.trustProxy, now: deps.now }));

  const agent = (socket: AgentSocket) => socket.data.agent;

  const handlers: HandlerTable<AgentSocket, AgentClientEvents> = {
    // The claim is one conditional update in the store: nodes can race here.
    'conversation:claim': {
      acked: true,
      budget: 'events',
      schema: schemas.conversationRef,
      run: async (socket, { conversationId }) => ({ conversation: await queue.view(await conversations.claim(agent(socket), conversationId)) }),
    },
    'conversation:release': {
      acked: true,
      budget: 'events',
      schema: schemas.conversationRef,
      run: async (socket, { conversationId }) => ({ conversation: await queue.view(await conversations.release(agent(socket), conversationId)) }),
    },
    'conversation:close': {
      acked: true,
      budget: 'events',
      schema: schemas.conversationRef,
      run: async (socket, { conversationId }) => ({ conversation: await queue.view(await conversations.close(agent(socket), conversationId)) }),
    },
    'conversation:transfer': {
      acked: true,
      budget: 'events',
      schema: schemas.transfer,
      run: async (socket, { conversationId, agentId }) => ({
        conversation: await queue.view(await conversations.transfer(agent(socket), conversationId, agentId)),
      }),
    },
    'message:send': {
      acked: true,
      budget: 'messages',
      schema: schemas.agentSend,
      async run(socket, input, conn) {
        const message = await conn.send(() => conversations.sendAgentMessage(agent(socket), input, socket.id));
        return { message: toMessage(message) };
      },
    },
    'history:get': {
      acked: true,
      budget: 'events',
      heavy: true,
      schema: schemas.agentHistory,
      async run(socket, { conversationId, ...query }) {
        const { conversation, messages } = await conversations.agentHistory(agent(socket), conversationId, query);
        const [pageNotes, csat] = await Promise.all([notes.forPage(conversation, query, messages), tools.csat.of(conversation.id, conversation.closedAt)]);
        return { conversation: await queue.view(conversation), messages: messages.map(toMessage), notes: pageNotes.map(toNote), csat };
      },
    },
    // Private notes: this namespace only (the visitor's has no such event). Spends the message budget.
    'note:add': {
      acked: true,
      budget: 'messages',
      schema: schemas.noteAdd,
      async run(socket, input, conn) {
        const note = await conn.send(() => notes.add(agent(socket), input, socket.id));
        return { note: toNote(note) };
      },
    },
    typing: {
      acked: false,
      budget: 'events',
      schema: schemas.agentTyping,
      run: (socket, { conversationId, typing }) => conversations.agentTyping(agent(socket), conversationId, typing, socket.id),
    },
    read: {
      acked: false,
      budget: 'events',
      schema: schemas.agentRead,
      run: (socket, { conversationId, seq }) => conversations.agentRead(agent(socket), conversationId, seq),
    },
    'visitor:get': {
      acked: true,
      budget: 'events',
      heavy: true,
      schema: schemas.conversationRef,
      run: async (socket, { conversationId }) => ({ visitor: await visitors.context(agent(socket), conversationId) }),
    },
    // Tags (#17): the change reaches every agent as `tags` (fanout.ts); the ack has the tags after it.
    'tag:add': {
      acked: true,
      budget: 'events',
      schema: searchSchemas.tagChange,
      run: async (socket, { conversationId, tag }) => ({ conversationId, tags: await deps.tags.add(agent(socket), conversationId, tag) }),
    },
    'tag:remove': {
      acked: true,
      budget: 'events',
      schema: searchSchemas.tagChange,
      run: async (socket, { conversationId, tag }) => ({ conversationId, tags: await deps.tags.remove(agent(socket), conversationId, tag) }),
    },
    'tags:get': {
      acked: true,
      budget: 'events',
      schema: searchSchemas.tagsGet,
      run: async (_socket, { conversationIds }) => ({ tags: await deps.tags.of(conversationIds) }),
    },
    'visitor:details': {
      acked: true,
      budget: 'events',
      heavy: true,
      schema: schemas.conversationRef,
      run: async (socket, { conversationId }) => ({ details: await tools.details.details(agent(socket), conversationId) }),
    },
    'status:set': {
      acked: true,
      budget: 'events',
      schema: schemas.statusSet,
      async run(socket, { status }) {
        await desk.setStatus(agent(socket), status);
        return {};
      },
    },
  };

  async function sendSnapshot(socket: AgentSocket) {
    socket.emit('settings', deps.consoleSettings());
    socket.emit('queue', { conversations: await queue.list() });
    const mine = await conversations.activeOf(agent(socket).id);
    socket.join(mine.map((c) => room.conversation(c.id)));
    const here = await Promise.all(mine.map((c) => desk.isOnline('visitor', c.visitorId)));
    mine.forEach((c, i) => {
      socket.emit('conversation', toConversation(c));
      if (here[i]) socket.emit('presence', { conversationId: c.id, action: 'join', participant: { kind: 'visitor', id: c.visitorId, name: c.visitorName } });
    });
  }

  const { states } = deps;
  const attach = bindHandlers(handlers, states);
  nsp.on('connection', (socket: AgentSocket) => {
    const c = new ConnectionState({ logger, ns: '/agent', socketId: socket.id, messageRateLimit: deps.messageRateLimit, overloaded: deps.overloaded, admission: deps.admission });
    states.set(socket, c);
    socket.join([room.agent(agent(socket).id), room.session(socket.data.sessionId), room.queue]);
    // Admins hear every conversation's private notes (account-sessions.ts keeps this with the role).
    if (agent(socket).role === 'admin') socket.join(room.admins);
    trackPresence(presence, socket, c, () => ({ kind: 'agent', id: agent(socket).id, name: agent(socket).name }), () => sendSnapshot(socket));
    attach(socket);
  });
}
