// /visitor: the widget's connection. Transport only — the handler table says, per event, which
// schema validates it and which core call it makes (handlers.ts applies the transport rules).

import { toMessage, toVisitor } from '../core/mappers.ts';
import type { VisitorClientEvents } from '../protocol/events.ts';
import { ConnectionState, type NamespaceServices, trackPresence } from './context.ts';
import { bindHandlers, type HandlerTable } from './handlers.ts';
import { visitorHandshake } from './handshake.ts';
import { type VisitorNamespace, type VisitorSocket, room } from './types.ts';
import type { RealtimeAgentTools } from './agent-tools.ts';
import type { EmailService } from '../core/email.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { matchLanguage } from '../../i18n/locales.ts';

export interface VisitorNamespaceDeps extends NamespaceServices {
  nsp: VisitorNamespace;
  tools: RealtimeAgentTools;
  /** Null when SMTP_URL is unset: transcripts answer `email_off`. */
  email: EmailService | null;
  /** IDENTITY_REQUIRED: unverified visitors are refused at the handshake (`identity_required`). */
  identityRequired: boolean;
}

export function registerVisitorNamespace(deps: VisitorNamespaceDeps): void {
  const { nsp, conversations, visitors, desk, presence, queue, schemas, logger, tools } = deps;
  nsp.use(visitorHandshake(deps.sessions, logger, deps.now, { identityRequired: deps.identityRequired }));

  const visitor = (socket: VisitorSocket) => socket.data.visitor;

  const handlers: HandlerTable<VisitorSocket, VisitorClientEvents> = {
    'message:send': {
      acked: true,
      budget: 'messages',
      schema: schemas.visitorSend,
      async run(socket, input, conn) {
        const message = await conn.send(() => conversations.sendVisitorMessage(visitor(socket), input, socket.id));
        return { message: toMessage(message) };
      },
    },
    'history:get': {
      acked: true,
      budget: 'events',
      heavy: true,
      schema: schemas.visitorHistory,
      async run(socket, query) {
        const { conversation, messages } = await conversations.visitorHistory(visitor(socket).id, query);
        const csat = conversation && (await tools.csat.of(conversation.id, conversation.closedAt));
        return { conversation: conversation && (await queue.view(conversation)), messages: messages.map(toMessage), csat };
      },
    },
    typing: {
      acked: false,
      budget: 'events',
      schema: schemas.visitorTyping,
      run: (socket, { typing }) => conversations.visitorTyping(visitor(socket), typing, socket.id),
    },
    read: {
      acked: false,
      budget: 'events',
      schema: schemas.visitorRead,
      run: (socket, { seq }) => conversations.visitorRead(visitor(socket), seq),
    },
    'profile:update': {
      acked: true,
      budget: 'events',
      schema: schemas.profileUpdate,
      async run(socket, patch) {
        const updated = await visitors.updateProfile(visitor(socket), patch);
        socket.data.visitor = { id: updated.id, name: updated.name, email: updated.email };
        return { visitor: toVisitor(updated) };
      },
    },
    'page:view': {
      acked: false,
      budget: 'events',
      schema: tools.schemas.pageView,
      async run(socket, { timeZone, language, ...page }) {
        const shipped = language ? matchLanguage(language) : null;
        if (shipped && deps.email) await deps.email.visitorLanguage(visitor(socket).id, shipped);
        await visitors.pageView(visitor(socket), page);
        await tools.details.recordPageView(visitor(socket), { ...page, timeZone }, socket.handshake.headers['user-agent']);
      },
    },
    'csat:rate': {
      acked: true,
      budget: 'events',
      schema: tools.schemas.csatRate,
      run: async (socket, input) => ({ csat: await tools.csat.rate(visitor(socket), input) }),
    },
    'transcript:request': {
      acked: true,
      budget: 'events',
      heavy: true,
      schema: schemas.transcriptRequest,
      async run(socket, { conversationId, email, language }) {
        if (!deps.email) throw new AppError(ErrorCode.EmailOff, 'this server sends no email');
        // A new address is saved on the visitor only once the request is known to be good.
        const save = async (address: string) => {
          const updated = await visitors.updateProfile(visitor(socket), { email: address });
          socket.data.visitor = { id: updated.id, name: updated.name, email: updated.email };
          return updated.email ?? address;
        };
        return deps.email.requestTranscript(visitor(socket), conversationId, { language: language ? matchLanguage(language) : null, newEmail: email ?? null, save });
      },
    },
  };

  async function sendSnapshot(socket: VisitorSocket) {
    const current = await conversations.currentOf(visitor(socket).id);
    if (current) {
      socket.join(room.conversation(current.id));
      socket.emit('conversation', await queue.view(current));
      if (current.agentId && (await desk.isOnline('agent', current.agentId))) {
        socket.emit('presence', {
          conversationId: current.id,
          action: 'join',
          participant: { kind: 'agent', id: current.agentId, name: current.agentName ?? '' },
        });
      }
    }
    socket.emit('availability', await desk.availability());
  }

  const { states } = deps;
  const attach = bindHandlers(handlers, states);
  nsp.on('connection', (socket: VisitorSocket) => {
    const c = new ConnectionState({ logger, ns: '/visitor', socketId: socket.id, messageRateLimit: deps.messageRateLimit, overloaded: deps.overloaded, admission: deps.admission });
    states.set(socket, c);
    // No session room for visitors (one room less per connection, the most numerous kind):
    // their session ends through the visitor room (disconnectSession) or by socket (watchSessions).
    socket.join(room.visitor(visitor(socket).id));
    trackPresence(presence, socket, c, () => ({ kind: 'visitor', id: visitor(socket).id, name: visitor(socket).name }), () => sendSnapshot(socket));
    attach(socket);
  });
}
