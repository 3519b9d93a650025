// Typed Socket.IO server, namespaces and per-socket data for Parley.

import type { Namespace, Server, Socket } from 'socket.io';
import type {
  AdminClientEvents,
  AdminServerEvents,
  AgentClientEvents,
  AgentServerEvents,
  VisitorClientEvents,
  VisitorServerEvents,
} from '../protocol/events.ts';
import type { Message, Role } from '../protocol/shapes.ts';

export interface VisitorSocketData {
  visitor: { id: string; name: string; email: string | null };
  sessionId: string;
}
export interface AgentSocketData {
  agent: { id: string; name: string; email: string; role: Role };
  sessionId: string;
  /** The account's session epoch the socket was opened under (realtime/account-sessions.ts). */
  epoch: number;
}
export type AdminSocketData = AgentSocketData;

/** Between nodes (serverSideEmit on /visitor): a stored message, for each node to deliver to its own sockets in seq order. */
export interface VisitorNodeEvents {
  'parley:message': (message: Message, origin: string | null) => void;
}

export type VisitorNamespace = Namespace<VisitorClientEvents, VisitorServerEvents, VisitorNodeEvents, VisitorSocketData>;
/** Between nodes (serverSideEmit on /agent): an account changed; each node applies it to its own sockets. */
export interface AgentNodeEvents {
  'parley:account': (agentId: string) => void;
  /** The team settings changed: each node reads them again. */
  'parley:settings': () => void;
  /** The webhooks changed: each node reads again which events are wanted, then answers. */
  'parley:webhooks': (done: () => void) => void;
}

export type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents, AgentNodeEvents, AgentSocketData>;
export type AdminNamespace = Namespace<AdminClientEvents, AdminServerEvents, Record<string, never>, AdminSocketData>;
export type VisitorSocket = Socket<VisitorClientEvents, VisitorServerEvents, VisitorNodeEvents, VisitorSocketData>;
export type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, AgentNodeEvents, AgentSocketData>;
export type AdminSocket = Socket<AdminClientEvents, AdminServerEvents, Record<string, never>, AdminSocketData>;

export interface Namespaces {
  io: Server;
  visitor: VisitorNamespace;
  agent: AgentNamespace;
  admin: AdminNamespace;
  /** Connections this node cut for owing more than their output budget (realtime/output-budget.ts), since it started. */
  slowConsumerCuts(): number;
}

export const room = {
  conversation: (id: string) => `conversation:${id}`,
  visitor: (id: string) => `visitor:${id}`,
  agent: (id: string) => `agent:${id}`,
  session: (sid: string) => `session:${sid}`,
  queue: 'queue',
  admins: 'admins',
} as const;
