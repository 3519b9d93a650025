// When a signed-in session still belongs to its agent: one rule for HTTP requests and socket
// handshakes alike. Imports only store types.

import type { AgentRecord } from '../store/store.ts';

/**
 * The agent is not disabled and the session signed in under their current epoch: a password change
 * or reset raises the epoch, and so ends every session opened before it (but the one that changed
 * it, which moves along). Sessions from before epochs existed carry none and count as epoch 0.
 */
export function sessionIsCurrent(agent: AgentRecord, sessionEpoch: number | undefined): boolean {
  return !agent.disabled && (sessionEpoch ?? 0) === agent.sessionEpoch;
}
