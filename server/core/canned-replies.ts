// Canned replies: the team's (admins manage them) and each agent's personal ones (only their owner
// manages them). Who may do what is decided here; callers validate input first. No transport.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import { CANNED_PERSONAL_MAX, CANNED_TEAM_MAX, type CannedReply, type CannedScope } from '../protocol/agent-tools.ts';
import type { CannedReplyRecord, Store } from '../store/store.ts';
import type { ActingAgent } from './conversations.ts';

export interface CannedReplies {
  /** The team's replies and the agent's own, by shortcut. */
  list(agent: ActingAgent): Promise<CannedReply[]>;
  create(agent: ActingAgent, input: { scope: CannedScope; shortcut: string; body: string }): Promise<CannedReply>;
  update(agent: ActingAgent, id: string, patch: { shortcut?: string; body?: string }): Promise<CannedReply>;
  remove(agent: ActingAgent, id: string): Promise<void>;
}

export function toCannedReply(r: CannedReplyRecord): CannedReply {
  return {
    id: r.id,
    scope: r.ownerId === null ? 'team' : 'personal',
    ownerId: r.ownerId,
    shortcut: r.shortcut,
    body: r.body,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

const adminsOnly = () => new AppError(ErrorCode.Forbidden, 'only admins manage team-wide canned replies');
const taken = () => new AppError(ErrorCode.Conflict, 'a canned reply with this shortcut exists already');

export function createCannedReplies(deps: { store: Store; limits?: { team: number; personal: number } }): CannedReplies {
  const { store } = deps;
  const limits = deps.limits ?? { team: CANNED_TEAM_MAX, personal: CANNED_PERSONAL_MAX };

  /** The reply, if this agent may change it: someone else's personal reply does not exist for them. */
  async function editable(agent: ActingAgent, id: string): Promise<CannedReplyRecord> {
    const reply = await store.getCannedReply(id);
    if (!reply || (reply.ownerId !== null && reply.ownerId !== agent.id)) throw new AppError(ErrorCode.NotFound, 'no such canned reply');
    if (reply.ownerId === null && agent.role !== 'admin') throw adminsOnly();
    return reply;
  }

  return {
    async list(agent) {
      return (await store.listCannedReplies(agent.id)).map(toCannedReply);
    },

    async create(agent, { scope, shortcut, body }) {
      if (scope === 'team' && agent.role !== 'admin') throw adminsOnly();
      const team = scope === 'team';
      const max = team ? limits.team : limits.personal;
      const result = await store.createCannedReply({ ownerId: team ? null : agent.id, shortcut, body, max });
      if (result.kind === 'shortcut_taken') throw taken();
      if (result.kind === 'too_many') throw new AppError(ErrorCode.Conflict, `at most ${max} ${team ? 'team-wide' : 'personal'} canned replies`);
      return toCannedReply(result.reply);
    },

    async update(agent, id, patch) {
      await editable(agent, id);
      const result = await store.updateCannedReply(id, patch);
      if (result.kind === 'not_found') throw new AppError(ErrorCode.NotFound, 'no such canned reply');
      if (result.kind === 'shortcut_taken') throw taken();
      return toCannedReply(result.reply);
    },

    async remove(agent, id) {
      await editable(agent, id);
      await store.deleteCannedReply(id);
    },
  };
}
