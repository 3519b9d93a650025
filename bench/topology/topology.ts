// How the servers under test are started. A topology prepares what every run
// needs once (identities in a database), then deploys a fresh baseline or
// Parley per run. Scenarios see only URLs, identities and CPU/RSS samples, so
// a cluster topology (two nodes, Redis, PostgreSQL) slots in beside
// single-node.ts without touching them.

import type { ProfileMode, WindowProfiler } from '../lib/inspector.ts';
import type { ProcSample } from '../lib/proc-stats.ts';

export type ServerKind = 'baseline' | 'parley';
export const SERVER_KINDS: readonly ServerKind[] = ['baseline', 'parley'];

/** What the load generators connect as: session cookies (Parley) or plain ids (baseline). */
export interface Identities {
  /** `cookie` header values, or ids for the baseline's `auth.id`. */
  visitors: string[];
  agents: string[];
}

export interface SeedNeeds {
  visitors: number;
  agents: number;
}

/** Entry points per side: visitors' clients are spread over `visitors`, agents' over `agents`. */
export interface RoleUrls {
  visitors: string[];
  agents: string[];
}

export interface Deployment {
  kind: ServerKind;
  /** Base URLs (http://127.0.0.1:PORT) of the nodes; load generators spread clients over them. */
  urls: string[];
  /** When set, visitors and agents connect where it says instead of anywhere in `urls`. */
  roleUrls?: RoleUrls;
  identities: Identities;
  /** Parley only: an admin's session cookie, for checks through the HTTP API. */
  adminCookie: string | null;
  /** CPU time and RSS summed over every server process of this deployment. */
  sample(): ProcSample;
  /** The same, per part of the deployment (a cluster: nodes, nginx, redis, postgres); absent on one node. */
  sampleParts?(): Record<string, ProcSample>;
  /**
   * Counters of the services behind the nodes, read at the edges of the measured window (a
   * cluster: Redis commands processed, PostgreSQL transactions committed); absent on one node.
   */
  counters?(): Promise<Record<string, number>>;
  /** With `cpuProfileDir`: profiles the measured window of the (first) server process. */
  profiler: WindowProfiler | null;
  /** Recent output of the server processes (for error reports). */
  output(): string;
  stop(): Promise<void>;
}

export interface Topology {
  readonly name: string;
  /** Once per bench invocation: creates the identities the runs of these server kinds will use. */
  prepare(needs: SeedNeeds, kinds: readonly ServerKind[]): Promise<void>;
  /** A fresh deployment: a new process with a fresh copy of the prepared database. With
   * `cpuProfileDir`, the server runs under the inspector so the runner can profile the window. */
  deploy(kind: ServerKind, options: { cpuProfileDir?: string; profile?: ProfileMode }): Promise<Deployment>;
  /** Stops everything and removes temporary files. */
  close(): Promise<void>;
  /** The same, synchronously and best-effort: for a signal handler that must exit now. */
  abandon(): void;
}
