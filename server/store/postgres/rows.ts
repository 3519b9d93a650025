// Row shapes of the PostgreSQL schema and their mapping to store records.
// BIGINT columns arrive as strings from `pg`; they are epoch ms, safe as numbers.

import type { AgentRecord, ConversationRecord, MessageRecord, ReadPosition, VisitorRecord } from '../store.ts';
import type { AuthorKind, ConversationStatus, Role } from '../../protocol/shapes.ts';

type Int8 = string | number;

export interface AgentRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: Int8;
}

export interface VisitorRow {
  id: string;
  name: string;
  email: string | null;
  created_at: Int8;
}

export interface ConversationRow {
  id: string;
  visitor_id: string;
  visitor_name: string;
  status: ConversationStatus;
  agent_id: string | null;
  agent_name: string | null;
  last_seq: number;
  queued_at: Int8;
  created_at: Int8;
  closed_at: Int8 | null;
}

/** A transition's RETURNING: the new row plus the columns a transition can change, as they were. */
export interface TransitionRow extends ConversationRow {
  prev_status: ConversationStatus;
  prev_agent_id: string | null;
  prev_agent_name: string | null;
  prev_closed_at: Int8 | null;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  client_id: string;
  author_kind: AuthorKind;
  author_id: string;
  author_name: string;
  body: string;
  created_at: Int8;
}

export interface ReadPositionRow {
  conversation_id: string;
  participant_kind: 'visitor' | 'agent';
  participant_id: string;
  seq: number;
}

export function toAgent(r: AgentRow): AgentRecord {
  return { id: r.id, email: r.email, name: r.name, role: r.role, passwordHash: r.password_hash, createdAt: Number(r.created_at) };
}

export function toVisitor(r: VisitorRow): VisitorRecord {
  return { id: r.id, name: r.name, email: r.email, createdAt: Number(r.created_at) };
}

export function toConversation(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    visitorId: r.visitor_id,
    visitorName: r.visitor_name,
    status: r.status,
    agentId: r.agent_id,
    agentName: r.agent_name,
    lastSeq: r.last_seq,
    queuedAt: Number(r.queued_at),
    createdAt: Number(r.created_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
  };
}

export function toPrevious(r: TransitionRow): ConversationRecord {
  return {
    ...toConversation(r),
    status: r.prev_status,
    agentId: r.prev_agent_id,
    agentName: r.prev_agent_name,
    closedAt: r.prev_closed_at === null ? null : Number(r.prev_closed_at),
  };
}

export function toMessage(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: r.seq,
    clientId: r.client_id,
    authorKind: r.author_kind,
    authorId: r.author_id,
    authorName: r.author_name,
    body: r.body,
    createdAt: Number(r.created_at),
  };
}

export function toReadPosition(r: ReadPositionRow): ReadPosition {
  return { conversationId: r.conversation_id, participantKind: r.participant_kind, participantId: r.participant_id, seq: r.seq };
}
