// /admin: the dashboard's connection. Live `online` events (fanout.ts) and `online:get`.

import type { OnlineSnapshot, AdminClientEvents } from '../protocol/events.ts';
import type { Logger } from '../logger.ts';
import { ConnectionState, type ConnectionStates } from './context.ts';
import { bindHandlers, type HandlerTable } from './handlers.ts';
import { type SessionLookup, agentHandshake } from './handshake.ts';
import { type AdminNamespace, type AdminSocket, room } from './types.ts';

export interface AdminNamespaceDeps {
  nsp: AdminNamespace;
  sessions: SessionLookup;
  /** Who is online, across every node (core/dashboard.ts). */
  onlineSnapshot(): Promise<OnlineSnapshot>;
  logger: Logger;
  now: () => number;
  trustProxy: boolean;
  messageRateLimit: number;
  /** Every connection's state (context.ts), shared with the other namespaces. */
  states: ConnectionStates;
}

export function registerAdminNamespace(deps: AdminNamespaceDeps): void {
  const { nsp, logger } = deps;
  nsp.use(agentHandshake(deps.sessions, logger, { adminOnly: true, trustProxy: deps.trustProxy, now: deps.now }));

  const handlers: HandlerTable<AdminSocket, AdminClientEvents> = {
    'online:get': { acked: true, budget: 'events', heavy: true, run: () => deps.onlineSnapshot() },
  };

  const { states } = deps;
  const attach = bindHandlers(handlers, states);
  nsp.on('connection', (socket: AdminSocket) => {
    const c = new ConnectionState({ logger, ns: '/admin', socketId: socket.id, messageRateLimit: deps.messageRateLimit, overloaded: () => false });
    states.set(socket, c);
    socket.on('disconnect', () => c.close());
    // agent:<id> too: an account change (account-sessions.ts) finds the agent's dashboard sockets there.
    socket.join([room.admins, room.session(socket.data.sessionId), room.agent(socket.data.agent.id)]);
    attach(socket);
  });
}
