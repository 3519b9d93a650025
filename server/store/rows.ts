// The rows both schemas return (same table and column names in SQLite and
// PostgreSQL) and their mapping to store records, shared by every engine.
// Integer columns arrive as numbers from node:sqlite and BIGINTs as strings
// from `pg`; all are epoch ms or counters, safe as numbers.

import type { AuthorKind, ConversationStatus, Role } from '../protocol/shapes.ts';
import type { AttachmentRecord } from './attachment-store.ts';
import type { AgentRecord, ConversationRecord, MessageRecord, ReadPosition, ReportConversation, VisitorAttribute, VisitorRecord } from './store.ts';

type Int = string | number;

export interface AgentRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: Int;
  language: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  disabled: number | boolean;
  session_epoch: Int;
  revision: Int;
  capacity: Int | null;
}

export interface VisitorRow {
  id: string;
  name: string;
  email: string | null;
  created_at: Int;
  user_id?: string | null;
  verified?: Int | boolean | null;
  attributes?: string | null;
}

export interface ConversationRow {
  id: string;
  visitor_id: string;
  visitor_name: string;
  status: ConversationStatus;
  agent_id: string | null;
  agent_name: string | null;
  /** A column in PostgreSQL; in SQLite read off the messages (sqlite/statements.ts). */
  last_seq: Int;
  queued_at: Int;
  created_at: Int;
  closed_at: Int | null;
  /** Highest seq read by the visitor / by any agent: a column in PostgreSQL, read off read_positions in SQLite. */
  visitor_read_seq: Int;
  agent_read_seq: Int;
  revision: Int;
  /** Reports' columns (migration 6 in SQLite, 5 in PostgreSQL): not part of ConversationRecord. */
  first_reply_at?: Int | null;
}

export interface ReportRow {
  id: string;
  status: ConversationStatus;
  created_at: Int;
  claimed_at: Int | null;
  claimed_by: string | null;
  first_reply_at: Int | null;
  closed_at: Int | null;
  agent_id: string | null;
  message_count: Int;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: Int;
  client_id: string;
  author_kind: AuthorKind;
  author_id: string;
  author_name: string;
  body: string;
  created_at: Int;
  /** Migration 9 (SQLite) / 8 (PostgreSQL): a copy of the attachment's record, all null without one. */
  attachment_id?: string | null;
  attachment_name?: string | null;
  attachment_type?: string | null;
  attachment_size?: Int | null;
}

export interface AttachmentRow {
  id: string;
  owner_kind: 'visitor' | 'agent';
  owner_id: string;
  name: string;
  type: string;
  size: Int;
  created_at: Int;
}

export interface ReadPositionRow {
  conversation_id: string;
  participant_kind: 'visitor' | 'agent';
  participant_id: string;
  seq: Int;
}

export function toAgent(r: AgentRow): AgentRecord {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    passwordHash: r.password_hash,
    createdAt: Number(r.created_at),
    language: r.language ?? null,
    disabled: Boolean(r.disabled),
    sessionEpoch: Number(r.session_epoch),
    revision: Number(r.revision),
    capacity: r.capacity === null || r.capacity === undefined ? null : Number(r.capacity),
  };
}

/** An admin who is not disabled: at least one must remain (updateAgent, deleteAgent). */
export function isActiveAdmin(r: AgentRow): boolean {
  return r.role === 'admin' && !r.disabled;
}

export function toVisitor(r: VisitorRow): VisitorRecord {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    createdAt: Number(r.created_at),
    userId: r.user_id ?? null,
    verified: Boolean(Number(r.verified ?? 0)),
    attributes: parseAttributes(r.attributes ?? null),
  };
}

/** Stored attributes are written only after validation; a damaged value reads as none rather than failing the row. */
function parseAttributes(raw: string | null): Record<string, VisitorAttribute> {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, VisitorAttribute>) : {};
  } catch {
    return {};
  }
}

export function toConversation(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    visitorId: r.visitor_id,
    visitorName: r.visitor_name,
    status: r.status,
    agentId: r.agent_id,
    agentName: r.agent_name,
    lastSeq: Number(r.last_seq),
    queuedAt: Number(r.queued_at),
    createdAt: Number(r.created_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    reads: { visitor: Number(r.visitor_read_seq), agent: Number(r.agent_read_seq) },
    revision: Number(r.revision),
  };
}

export function toMessage(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    clientId: r.client_id,
    authorKind: r.author_kind,
    authorId: r.author_id,
    authorName: r.author_name,
    body: r.body,
    createdAt: Number(r.created_at),
    ...(r.attachment_id != null
      ? { attachment: { id: r.attachment_id, name: r.attachment_name ?? '', type: r.attachment_type ?? '', size: Number(r.attachment_size ?? 0) } }
      : {}),
  };
}

export function toAttachment(r: AttachmentRow): AttachmentRecord {
  return { id: r.id, ownerKind: r.owner_kind, ownerId: r.owner_id, name: r.name, type: r.type, size: Number(r.size), createdAt: Number(r.created_at) };
}

export function toReadPosition(r: ReadPositionRow): ReadPosition {
  return { conversationId: r.conversation_id, participantKind: r.participant_kind, participantId: r.participant_id, seq: Number(r.seq) };
}

const intOrNull = (v: Int | null): number | null => (v === null ? null : Number(v));

export function toReportConversation(r: ReportRow): ReportConversation {
  return {
    id: r.id,
    status: r.status,
    createdAt: Number(r.created_at),
    claimedAt: intOrNull(r.claimed_at),
    claimedBy: r.claimed_by,
    firstReplyAt: intOrNull(r.first_reply_at),
    closedAt: intOrNull(r.closed_at),
    agentId: r.agent_id,
    messages: Number(r.message_count),
  };
}
