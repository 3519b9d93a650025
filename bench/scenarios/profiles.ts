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

export interface Profile {
  name: ProfileName;
  /** Runs per server kind and scenario (alternating baseline/Parley). */
  runs: number;
  saturation: ChatSizes & { inFlight: number };
  steady: ChatSizes & { ratePerSide: number };
  polling: ChatSizes & { ratePerSide: number };
  idle: { visitors: number; settleMs: number; generators: number };
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
}

export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    name: 'quick',
    runs: 3,
    saturation: { conversations: 100, perAgent: 20, inFlight: 8, warmupMs: 1000, measureMs: 2500, generators: 2 },
    steady: { conversations: 2000, perAgent: 20, ratePerSide: 1, warmupMs: 1000, measureMs: 3000, generators: 2 },
    polling: { conversations: 500, perAgent: 20, ratePerSide: 1, warmupMs: 1000, measureMs: 3000, generators: 4 },
    idle: { visitors: 10_000, settleMs: 500, generators: 4 },
    claims: { queued: 1000, agents: 50, inFlightPerAgent: 4, generators: 2 },
    idle50k: { visitors: 50_000, storm: 5000, spreadMs: 1000, stormTimeoutMs: 15_000, settleMs: 1000, generators: 4, connectConcurrency: 100, runs: 1 },
    clusterSaturation: { conversations: 100, perAgent: 20, inFlight: 8, warmupMs: 1000, measureMs: 2500, generators: 2, runs: 2 },
    clusterSteady: { conversations: 2000, perAgent: 20, ratePerSide: 1, warmupMs: 1000, measureMs: 3000, generators: 2, runs: 1 },
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
  },
};
