// What a scenario is, for the runner: its sizes, how one run goes (against a
// deployment, with load generators), which metrics it yields and the targets.

import type { FileLimit } from '../lib/processes.ts';
import type { Generators } from '../runner/generators.ts';
import type { Deployment, SeedNeeds, ServerKind } from '../topology/topology.ts';


/** What a scenario may size itself by: the machine's limits as the runner found them. */
export interface ScenarioEnv {
  /** The open-files limit every server and load generator gets. */
  files: FileLimit;
}
export type ScenarioName = 'saturation' | 'steady' | 'idle' | 'claims' | 'polling' | 'idle-50k' | 'cluster-saturation' | 'cluster-steady' | 'overload';
/** Which topology a scenario's servers run in (bench/topology/). */
export type TopologyName = 'single' | 'cluster';
export type Metrics = Record<string, number | null>;

export interface MetricDef {
  key: string;
  label: string;
  unit: string;
  /** How runs are combined: the median, or the worst run (for correctness counts). */
  aggregate?: 'median' | 'max';
  /** Print a Parley/baseline ratio (default true). */
  ratio?: boolean;
}

export interface TargetDef {
  metric: string;
  /** 'ratio': Parley/baseline; 'value': Parley's figure alone. */
  on: 'ratio' | 'value';
  op: '>=' | '<=';
  threshold: number;
  label: string;
}

export interface RunContext {
  kind: ServerKind;
  deployment: Deployment;
  generators: Generators;
  /** Marks the measured window (for --cpu-prof); call begin() before the first sample, end() after the last. */
  window: { begin(): Promise<void>; end(): Promise<void> };
  log(line: string): void;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** Where its servers run; 'single' when absent. */
  topology?: TopologyName;
  /** Load-generator processes for this scenario (the Node client is the heavier side). */
  generators: number;
  /** Runs per server kind, when this scenario needs fewer or more than the profile's (`--runs` overrides both). */
  runs?: number;
  needs: SeedNeeds;
  /** One run against one deployment; returns its metrics. Must be bounded in time. */
  run(ctx: RunContext): Promise<Metrics>;
  metrics: MetricDef[];
  targets: TargetDef[];
}
