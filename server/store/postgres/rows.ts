// PostgreSQL-only rows: a transition's RETURNING, which carries the row as it
// was before the update too. The rows both engines share are ../rows.ts.

import type { ConversationStatus } from '../../protocol/shapes.ts';
import { type ConversationRow, toConversation } from '../rows.ts';
import type { ConversationRecord } from '../store.ts';

/** A transition's RETURNING: the new row plus the columns a transition can change, as they were. */
export interface TransitionRow extends ConversationRow {
  prev_status: ConversationStatus;
  prev_agent_id: string | null;
  prev_agent_name: string | null;
  prev_closed_at: string | number | null;
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
