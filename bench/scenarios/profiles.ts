// Sizes and durations per profile. `quick` (the default) keeps the sizes the
// targets are stated for and shortens the windows (and makes fewer runs of the
// cluster scenarios, whose seeding and connecting take longer), to finish in
// under 10 minutes; `full` measures longer and repeats more; `smoke` is a seconds-long
// sanity run for CI (tiny sizes, no targets).

export type ProfileName = 'quick' | 'full' | 'smoke';

export interface ChatSizes {
  conversations: number;
  perAgent: number;
  warmupMs: number;
  measureMs: number;
  generators: number;
}

/** Scenario overload (scenarios/overload.ts): phases on the same conversations. */
export interface OverloadSizes {
  conversations: number;
  perAgent: number;
  generators: number;
  runs: number;
  /** The saturation probe: closed loop on this many conversations, like the saturation scenario. */
  probe: { conversations: number; inFlight: number; warmupMs: number; ms: number };
  /** Normal load before and after the overload (open loop, per side). */
  normalRatePerSide: number;
  normalMs: number;
  /** 2× the probe's rate for this long (the figure: 60 s). */
  overloadMs: number;
  /** Normal load again: the recovery must happen within 10 s of its start. */
  recoveryMs: number;
  /** Timeline slices (recovery is judged slice by slice). */
  bucketMs: number;
  lateAckMs: number;
}

export interface Profile {
  name: ProfileName;
  /** Runs per server kind and scenario (alternating baseline/Parley). */
  runs: number;
  saturation: ChatSizes & { inFlight: number };
  steady: ChatSizes & { ratePerSide: number };
  polling: ChatSizes & { ratePerSide: number };
  /** `runs`: per server kind when not the profile's. */
  idle: { visitors: number; settleMs: number; generators: number; runs?: number };
  claims: { queued: number; agents: number; inFlightPerAgent: number; generators: number };
  /** Idle population, then a storm of `storm` new visitors arriving evenly over `spreadMs`. */
  idle50k: {
    visitors: number;
    storm: number;
    spreadMs: number;
    stormTimeoutMs: number;
    settleMs: number;
    generators: number;
    connectConcurrency: number;
    runs: number;
  };
  /** Two nodes behind nginx (bench/topology/cluster.ts); `runs` per server kind. */
  clusterSaturation: ChatSizes & { inFlight: number; runs: number };
  clusterSteady: ChatSizes & { ratePerSide: number; runs: number };
  overload: OverloadSizes;
}

export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    name: 'quick',
    runs: 3,
    saturation: { conversations: 100, perAgent: 20, inFlight: 8, warmupMs: 1000, measureMs: 2500, generators: 2 },
    steady: { conversations: 2000, perAgent: 20, ratePerSide: 1, warmupMs: 1000, measureMs: 3000, generators: 2 },
    polling: { conversations: 500, perAgent: 20, ratePerSide: 1, warmupMs: 1000, measureMs: 3000, generators: 4 },
    // 2 runs, not 3: idle-50k measures the same slope on a larger population in the same invocation.
    idle: { visitors: 10_000, settleMs: 500, generators: 4, runs: 2 },
    claims: { queued: 1000, agents: 50, inFlightPerAgent: 4, generators: 2 },
    idle50k: { visitors: 50_000, storm: 5000, spreadMs: 1000, stormTimeoutMs: 15_000, settleMs: 1000, generators: 4, connectConcurrency: 100, runs: 1 },
    clusterSaturation: { conversations: 100, perAgent: 20, inFlight: 8, warmupMs: 1000, measureMs: 2500, generators: 2, runs: 2 },
    clusterSteady: { conversations: 2000, perAgent: 20, ratePerSide: 1, warmupMs: 1000, measureMs: 3000, generators: 2, runs: 1 },
    // Shortened: 15 s of overload (not 60), 12 s of recovery and one run per server, to keep the whole quick run under 10 minutes.
    overload: {
      conversations: 1000,
      perAgent: 20,
      generators: 2,
      runs: 1,
      probe: { conversations: 100, inFlight: 8, warmupMs: 1000, ms: 2500 },
      normalRatePerSide: 1,
      normalMs: 4000,
      overloadMs: 15_000,
      recoveryMs: 12_000,
      bucketMs: 500,
      lateAckMs: 5000,
    },
  },
  full: {
    name: 'full',
    runs: 5,
    saturation: { conversations: 100, perAgent: 20, inFlight: 8, warmupMs: 3000, measureMs: 15_000, generators: 2 },
    steady: { conversations: 2000, perAgent: 20, ratePerSide: 1, warmupMs: 5000, measureMs: 30_000, generators: 2 },
    polling: { conversations: 500, perAgent: 20, ratePerSide: 1, warmupMs: 5000, measureMs: 30_000, generators: 4 },
    idle: { visitors: 10_000, settleMs: 5000, generators: 4 },
    claims: { queued: 1000, agents: 50, inFlightPerAgent: 4, generators: 2 },
    idle50k: { visitors: 50_000, storm: 5000, spreadMs: 1000, stormTimeoutMs: 15_000, settleMs: 5000, generators: 4, connectConcurrency: 100, runs: 3 },
    clusterSaturation: { conversations: 100, perAgent: 20, inFlight: 8, warmupMs: 3000, measureMs: 15_000, generators: 2, runs: 3 },
    clusterSteady: { conversations: 2000, perAgent: 20, ratePerSide: 1, warmupMs: 5000, measureMs: 30_000, generators: 2, runs: 3 },
    overload: {
      conversations: 1000,
      perAgent: 20,
      generators: 2,
      runs: 3,
      probe: { conversations: 100, inFlight: 8, warmupMs: 3000, ms: 5000 },
      normalRatePerSide: 1,
      normalMs: 10_000,
      overloadMs: 60_000,
      recoveryMs: 20_000,
      bucketMs: 500,
      lateAckMs: 5000,
    },
  },
  smoke: {
    name: 'smoke',
    runs: 1,
    saturation: { conversations: 4, perAgent: 2, inFlight: 2, warmupMs: 200, measureMs: 700, generators: 1 },
    steady: { conversations: 6, perAgent: 3, ratePerSide: 5, warmupMs: 200, measureMs: 700, generators: 1 },
    polling: { conversations: 4, perAgent: 2, ratePerSide: 5, warmupMs: 200, measureMs: 700, generators: 2 },
    idle: { visitors: 20, settleMs: 200, generators: 2 },
    claims: { queued: 20, agents: 4, inFlightPerAgent: 2, generators: 2 },
    idle50k: { visitors: 40, storm: 20, spreadMs: 200, stormTimeoutMs: 5000, settleMs: 200, generators: 2, connectConcurrency: 20, runs: 1 },
    clusterSaturation: { conversations: 4, perAgent: 2, inFlight: 2, warmupMs: 200, measureMs: 700, generators: 1, runs: 1 },
    clusterSteady: { conversations: 6, perAgent: 3, ratePerSide: 5, warmupMs: 200, measureMs: 700, generators: 1, runs: 1 },
    overload: {
      conversations: 6,
      perAgent: 3,
      generators: 1,
      runs: 1,
      probe: { conversations: 4, inFlight: 2, warmupMs: 200, ms: 500 },
      normalRatePerSide: 5,
      normalMs: 500,
      overloadMs: 1000,
      recoveryMs: 1000,
      bucketMs: 250,
      lateAckMs: 5000,
    },
  },
};
