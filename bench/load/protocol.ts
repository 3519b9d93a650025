// Messages between the runner and its load-generator processes (Node IPC).
// The runner sends a command with an id; the generator replies with the same id.

import type { Identities, RoleUrls, ServerKind } from '../topology/topology.ts';

export type WorkloadName = 'chat' | 'idle' | 'claims';
export type Transport = 'websocket' | 'polling';

export interface GeneratorSetup {
  workload: WorkloadName;
  kind: ServerKind;
  urls: string[];
  /** Where each side connects, when the topology decides it (a cluster: visitors on one node, agents on another). */
  roleUrls?: RoleUrls;
  /** This generator's share of the identities. */
  identities: Identities;
  /** Workload parameters (see each workload's Params). */
  params: Record<string, unknown>;
  /** Generator index, for deterministic shuffles and names. */
  index: number;
}

export type Command =
  | { type: 'setup'; setup: GeneratorSetup }
  /** A named setup step of the workload (connect, open, …), run by every generator before the next. */
  | { type: 'step'; name: string; args?: Record<string, unknown> }
  /** Load starts (warm-up). */
  | { type: 'start' }
  /** The measured window starts: counters are reset. */
  | { type: 'measure' }
  /** The load changes (scenario overload): answers with the ended phase's counts. */
  | { type: 'phase'; phase: LoadPhase }
  /** The window ends: load stops, the generator reports. */
  | { type: 'stop' }
  | { type: 'close' };

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * What each side of a conversation does from now on: `closed` keeps `inFlight` unacknowledged on
 * the first `conversations` of this generator (the others pause), `rate` sends at a fixed rate
 * on every conversation, `idle` stops sending.
 */
export type LoadPhase = { mode: 'closed'; inFlight: number; conversations: number } | { mode: 'rate'; ratePerSide: number } | { mode: 'idle' };

/** What every workload implements inside a generator process. */
export interface Workload {
  step(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  start(): void;
  measure(): void;
  /** Changes the load (workloads that support phases); returns the ended phase's counts. */
  phase?(phase: LoadPhase): Record<string, unknown>;
  stop(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
