// What the namespaces need of the agent tools owned here (CSAT, visitor details), and who hears of
// a rating: the agent who held the conversation (and agents viewing its room) on /agent, and every
// tab of its visitor on /visitor. Rooms reach every node through the adapter.

import type { CsatRated, CsatService } from '../core/csat.ts';
import type { VisitorDetailsService } from '../core/visitor-details.ts';
import type { AgentToolsSchemas } from '../edge/agent-tools-schemas.ts';
import { type Namespaces, room } from './types.ts';

export interface RealtimeAgentTools {
  csat: CsatService;
  details: VisitorDetailsService;
  schemas: AgentToolsSchemas;
}

export function csatFanout(ns: Pick<Namespaces, 'agent' | 'visitor'>) {
  return ({ csat, agentId, visitorId }: CsatRated) => {
    const agents = agentId ? ns.agent.to(room.conversation(csat.conversationId)).to(room.agent(agentId)) : ns.agent.to(room.conversation(csat.conversationId));
    agents.emit('csat', csat);
    ns.visitor.to(room.visitor(visitorId)).emit('csat', csat);
  };
}
