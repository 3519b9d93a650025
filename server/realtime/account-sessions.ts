// What an account change does to live sockets, on every node (core/team.ts's AccountSessions):
// a disabled or deleted agent's sockets close, sockets of sessions from before a password change
// close, a demoted admin's /admin sockets close (each told why first: `session:ended`), and the
// rest take the new name and role. Two ways a change arrives:
//  - from this node's HTTP API: applied here at once and, in a cluster, sent to every other node
//    through Redis (serverSideEmit on /agent);
//  - from anywhere else (the CLI writing the database, a Pub/Sub message lost while Redis was
//    away): each node polls the agents' change revision (one indexed read per interval) and
//    applies what changed since it last looked.
// Applying twice is harmless: every step checks the current state.

import type { AgentRecord, Store } from '../store/store.ts';
import type { AccountSessions } from '../core/team.ts';
import type { ConversationService } from '../core/conversations.ts';
import type { Logger } from '../logger.ts';
import { logFailure } from '../edge/failures.ts';
import type { SessionEndReason } from '../protocol/events.ts';
import { type AdminSocket, type AgentSocket, type Namespaces, room } from './types.ts';

export interface AccountWatch extends AccountSessions {
  /** Starts polling the change revision (the first look also releases conversations of agents disabled while no node ran). */
  start(): void;
  close(): void;
}

/** How often each node looks for account changes made elsewhere (the CLI): well inside the promised 5 s. */
export const DEFAULT_ACCOUNT_WATCH_MS = 1000;

export function createAccountWatch(deps: {
  ns: Namespaces;
  store: Pick<Store, 'getAgent' | 'agentsChangedSince' | 'sessionGet'>;
  conversations: Pick<ConversationService, 'releaseAllOf'>;
  logger: Logger;
  now: () => number;
  clustered: boolean;
  everyMs?: number;
}): AccountWatch {
  const { ns, store, conversations, logger, clustered } = deps;
  const everyMs = deps.everyMs ?? DEFAULT_ACCOUNT_WATCH_MS;
  const fail = (what: string) => (err: unknown) => logFailure(logger.child({ what }), 'account_watch.failed', err);
  let revision = 0;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  /** This node's sockets of one agent, in /agent and /admin (both join `agent:<id>`). */
  function localSockets(agentId: string): Array<AgentSocket | AdminSocket> {
    const out: Array<AgentSocket | AdminSocket> = [];
    for (const nsp of [ns.agent, ns.admin] as const) {
      for (const id of nsp.adapter.rooms.get(room.agent(agentId)) ?? []) {
        const s = nsp.sockets.get(id);
        if (s) out.push(s);
      }
    }
    return out;
  }

  function end(socket: AgentSocket | AdminSocket, reason: SessionEndReason) {
    logger.info({ event: 'account.socket_closed', agentId: socket.data.agent.id, reason, ns: socket.nsp.name }, 'closing a socket the account no longer allows');
    // The packet is queued before the close, and the transport flushes it first (WebSocket and polling alike).
    (socket as AgentSocket).emit('session:ended', { reason }); // the same event in /agent and /admin
    socket.disconnect(true);
  }

  /** Whether the socket's session moved to the agent's current epoch (it changed the password itself). */
  async function sessionMovedAlong(sid: string, epoch: number): Promise<boolean> {
    const raw = await store.sessionGet(sid, deps.now());
    if (raw === null) return false;
    try {
      return (JSON.parse(raw) as { agentEpoch?: unknown }).agentEpoch === epoch;
    } catch {
      return false;
    }
  }

  async function applyLocal(agentId: string, agent: AgentRecord | null): Promise<void> {
    const sockets = localSockets(agentId);
    // Back to the queue before the sockets close, so the visitors see the agent leave while announced.
    // Conditional per conversation: whichever node gets there first announces it.
    if (agent?.disabled) await conversations.releaseAllOf(agentId);
    if (sockets.length === 0) return;
    if (!agent || agent.disabled) {
      for (const s of sockets) end(s, agent ? 'disabled' : 'deleted');
      return;
    }
    const moved = new Map<string, Promise<boolean>>();
    for (const s of sockets) {
      if (s.data.epoch !== agent.sessionEpoch) {
        const sid = s.data.sessionId;
        if (!moved.has(sid)) moved.set(sid, sessionMovedAlong(sid, agent.sessionEpoch));
        if (!(await moved.get(sid))) {
          end(s, 'password_changed');
          continue;
        }
        s.data.epoch = agent.sessionEpoch;
      }
      if (s.nsp === ns.admin && agent.role !== 'admin') {
        end(s, 'role_changed');
        continue;
      }
      // New messages and claims from this socket carry the new name.
      s.data.agent = { ...s.data.agent, name: agent.name, role: agent.role };
      // Private notes reach admins' /agent sockets through this room (fanout.ts noteAdded).
      if (s.nsp === ns.agent) void (agent.role === 'admin' ? s.join(room.admins) : s.leave(room.admins));
    }
  }

  if (clustered) {
    ns.agent.on('parley:account', (agentId: string) => {
      store
        .getAgent(agentId)
        .then((agent) => applyLocal(agentId, agent))
        .catch(fail('remote'));
    });
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const changed = await store.agentsChangedSince(revision);
      for (const agent of changed) {
        await applyLocal(agent.id, agent);
        revision = Math.max(revision, agent.revision);
      }
    } catch (err) {
      fail('poll')(err);
    } finally {
      polling = false;
    }
  }

  return {
    changed(agentId, agent) {
      applyLocal(agentId, agent).catch(fail('local'));
      if (clustered) ns.agent.serverSideEmit('parley:account', agentId);
    },
    start() {
      void poll();
      timer = setInterval(() => void poll(), everyMs);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
