// Team administration: own password and name, and what admins (and the CLI) do to accounts —
// rename, change role, reset a password, disable, enable, delete. The store enforces the
// last-admin rule atomically; what a change ends (sessions, sockets, an agent's hold on their
// conversations) is announced through AccountSessions, which realtime/ implements on every node.
// No Socket.IO, express or SQL here.

import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { Role } from '../protocol/shapes.ts';
import type { AgentPatch, AgentRecord, Store, UpdateAgentResult } from '../store/store.ts';
import type { Accounts, LoginOrigin } from './accounts.ts';
import type { ConversationService } from './conversations.ts';

/** Ends what an account change no longer allows, on every node (realtime/account-sessions.ts). */
export interface AccountSessions {
  /**
   * `agent` as it is now (null: deleted). Sockets of sessions from an older epoch close, all of a
   * disabled or deleted agent's close, a disabled agent's conversations go back to the queue, and
   * the others' sockets take the new name and role.
   */
  changed(agentId: string, agent: AgentRecord | null): void;
}

export interface Team {
  /** The current password is required; every other session of the agent ends. `keep` stores the epoch the caller's own session moves to, before the change commits. */
  changeOwnPassword(agent: AgentRecord, input: { currentPassword: string; newPassword: string }, from: LoginOrigin, keep: (epoch: number) => Promise<void>): Promise<AgentRecord>;
  /** An admin's (or the own, for `name`) change of name, role, disabled. */
  update(actor: AgentRecord | null, id: string, patch: { name?: string; role?: Role; disabled?: boolean; capacity?: number | null }): Promise<AgentRecord>;
  /** A new random password, answered once; the agent's sessions end. */
  resetPassword(actor: AgentRecord | null, id: string): Promise<{ agent: AgentRecord; password: string }>;
  remove(actor: AgentRecord, id: string): Promise<AgentRecord>;
}

/** Long enough that guessing is hopeless, short enough to type: 16 characters of base64url (96 bits). */
export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

export function lastAdmin(): AppError {
  return new AppError(ErrorCode.Conflict, 'the last active admin can be neither disabled, demoted nor deleted');
}

export function createTeam(deps: {
  store: Store;
  accounts: Pick<Accounts, 'verifyOwn' | 'hash'>;
  sessions: AccountSessions;
  /** Absent in the CLI: there the servers' account watch releases a disabled agent's conversations and tells the visitors. */
  conversations?: Pick<ConversationService, 'releaseAllOf' | 'agentRenamed'>;
  /** Absent in the CLI: a raised capacity is then seen by the servers' next routing sweep. */
  routing?: { kick(): void } | null;
}): Team {
  const { store, accounts, sessions, conversations, routing } = deps;

  async function apply(id: string, patch: AgentPatch): Promise<AgentRecord> {
    const result: UpdateAgentResult = await store.updateAgent(id, patch);
    if (result.kind === 'not_found') throw new AppError(ErrorCode.NotFound, 'no such agent');
    if (result.kind === 'last_admin') throw lastAdmin();
    const { agent, previous } = result;
    // Released before the sockets close: the visitors see the agent leave while they are still announced.
    if (agent.disabled && conversations) await conversations.releaseAllOf(agent.id);
    if (agent.name !== previous.name && conversations) await conversations.agentRenamed(agent.id);
    sessions.changed(agent.id, agent);
    if (agent.capacity !== previous.capacity || agent.disabled !== previous.disabled) routing?.kick();
    return agent;
  }

  function refuseSelf(actor: AgentRecord | null, id: string, what: string) {
    if (actor?.id === id) throw new AppError(ErrorCode.Forbidden, `you cannot ${what} your own account`);
  }

  return {
    async changeOwnPassword(agent, { currentPassword, newPassword }, from, keep) {
      await accounts.verifyOwn(agent, currentPassword, from);
      const passwordHash = await accounts.hash(newPassword);
      // The caller's session moves to the next epoch first: once the change commits, every other
      // node's account watch sees it current and keeps its sockets (the others' close).
      await keep(agent.sessionEpoch + 1);
      return apply(agent.id, { passwordHash, endSessions: true });
    },

    async update(actor, id, patch) {
      if (patch.disabled === true) refuseSelf(actor, id, 'disable');
      // Disabling ends the sessions for good: enabling again does not bring them back.
      return apply(id, patch.disabled === true ? { ...patch, endSessions: true } : patch);
    },

    async resetPassword(actor, id) {
      refuseSelf(actor, id, 'reset the password of');
      const password = randomPassword();
      const agent = await apply(id, { passwordHash: await accounts.hash(password), endSessions: true });
      return { agent, password };
    },

    async remove(actor, id) {
      refuseSelf(actor, id, 'delete');
      const result = await store.deleteAgent(id);
      if (result.kind === 'not_found') throw new AppError(ErrorCode.NotFound, 'no such agent');
      if (result.kind === 'last_admin') throw lastAdmin();
      if (result.kind === 'has_conversations') throw new AppError(ErrorCode.Conflict, 'this agent has handled conversations: disable the account instead');
      sessions.changed(id, null);
      return result.agent;
    },
  };
}
