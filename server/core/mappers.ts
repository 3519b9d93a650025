// Store records → protocol shapes. The only place that decides what of a
// record leaves the server (no password hashes, epoch ms → ISO-8601).

import { attachmentUrl } from '../protocol/attachments.ts';
import type { Agent, Conversation, Message, Note, Participant, Visitor } from '../protocol/shapes.ts';
import type { AgentRecord, ConversationRecord, MessageRecord, NoteRecord, VisitorRecord } from '../store/store.ts';

export function toAgent(a: AgentRecord): Agent {
  return { id: a.id, email: a.email, name: a.name, role: a.role, language: a.language, disabled: a.disabled, capacity: a.capacity };
}

export function toVisitor(v: VisitorRecord): Visitor {
  return { id: v.id, name: v.name, email: v.email, verified: v.verified };
}

export function toConversation(c: ConversationRecord, queuePosition: number | null = null): Conversation {
  return {
    id: c.id,
    visitor: { id: c.visitorId, name: c.visitorName },
    status: c.status,
    agent: c.agentId === null ? null : { id: c.agentId, name: c.agentName ?? '' },
    queuePosition: c.status === 'queued' ? queuePosition : null,
    lastSeq: c.lastSeq,
    createdAt: new Date(c.createdAt).toISOString(),
    reads: { visitor: c.reads.visitor, agent: c.reads.agent },
    revision: c.revision,
  };
}

export function toMessage(m: MessageRecord): Message {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientId: m.clientId,
    author: { kind: m.authorKind, id: m.authorId, name: m.authorName },
    body: m.body,
    createdAt: new Date(m.createdAt).toISOString(),
    ...(m.attachment ? { attachment: { ...m.attachment, url: attachmentUrl(m.attachment.id) } } : {}),
  };
}

/** A private note: for agents' sockets and answers only (realtime/fanout.ts, agent-namespace.ts). */
export function toNote(n: NoteRecord): Note {
  return {
    id: n.id,
    conversationId: n.conversationId,
    clientId: n.clientId,
    afterSeq: n.afterSeq,
    author: { kind: 'agent', id: n.authorId, name: n.authorName },
    body: n.body,
    mentions: n.mentions.map((m) => ({ id: m.id, name: m.name })),
    createdAt: new Date(n.createdAt).toISOString(),
  };
}

export function visitorParticipant(c: ConversationRecord): Participant {
  return { kind: 'visitor', id: c.visitorId, name: c.visitorName };
}

export function agentParticipant(c: ConversationRecord): Participant | null {
  return c.agentId === null ? null : { kind: 'agent', id: c.agentId, name: c.agentName ?? '' };
}
