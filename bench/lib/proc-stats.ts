// CPU time and resident memory of a server process, read from /proc (Linux).
// CPU comes from each thread's schedstat (nanoseconds), so short windows are
// still measured precisely; elsewhere the figures are reported as null.

import { readFileSync, readdirSync } from 'node:fs';

export interface ProcSample {
  /** Monotonic clock when sampled (ms, performance.now()). */
  at: number;
  /** CPU time used by all threads since start (µs); null when unavailable. */
  cpuMicros: number | null;
  /** Resident set size (bytes); null when unavailable. */
  rssBytes: number | null;
}

function cpuMicros(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between readdir and read.
      }
    }
    return ns / 1000;
  } catch {
    return null;
  }
}

function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function sampleProcess(pid: number): ProcSample {
  return { at: performance.now(), cpuMicros: cpuMicros(pid), rssBytes: rssBytes(pid) };
}

/** Sums samples of several processes (one deployment, many nodes). */
export function sumSamples(samples: ProcSample[]): ProcSample {
  const sum = (pick: (s: ProcSample) => number | null) =>
    samples.some((s) => pick(s) === null) ? null : samples.reduce((a, s) => a + (pick(s) ?? 0), 0);
  return { at: samples[0]?.at ?? performance.now(), cpuMicros: sum((s) => s.cpuMicros), rssBytes: sum((s) => s.rssBytes) };
}
