// What time it is, for everything that reads time: a test (or a simulation)
// passes its own Clock instead of the system's. Imports nothing.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The one place Parley's server reads the system clock. */
export const systemClock: Clock = { now: () => Date.now() };
