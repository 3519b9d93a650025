// CPU time and resident memory of a server process, read from /proc (Linux).
// CPU comes from each thread's schedstat (nanoseconds), so short windows are
// still measured precisely; elsewhere the figures are reported as null.

import { readFileSync, readdirSync } from 'node:fs';

export interface ProcSample {
  /** Monotonic clock when sampled (ms, performance.now()). */
  at: number;
  /** CPU time used by all threads since start (µs); null when unavailable. */
  cpuMicros: number | null;
  /** Time its threads were runnable but waited for a CPU (µs; other processes on its core, e.g.); null when unavailable. */
  waitMicros?: number | null;
  /** Resident set size (bytes); null when unavailable. */
  rssBytes: number | null;
}

/** schedstat of every thread: [time on a CPU, time runnable but waiting for one] (µs). */
function schedMicros(pid: number): [number, number] | null {
  try {
    let run = 0;
    let wait = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [r, w] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
        run += Number(r);
        wait += Number(w);
      } catch {
        // The thread ended between readdir and read.
      }
    }
    return [run / 1000, wait / 1000];
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
  const sched = schedMicros(pid);
  return { at: performance.now(), cpuMicros: sched?.[0] ?? null, waitMicros: sched?.[1] ?? null, rssBytes: rssBytes(pid) };
}

/** Sums samples of several processes (one deployment, many nodes). */
export function sumSamples(samples: ProcSample[]): ProcSample {
  const sum = (pick: (s: ProcSample) => number | null) =>
    samples.some((s) => pick(s) === null) ? null : samples.reduce((a, s) => a + (pick(s) ?? 0), 0);
  return { at: samples[0]?.at ?? performance.now(), cpuMicros: sum((s) => s.cpuMicros), waitMicros: sum((s) => s.waitMicros ?? null), rssBytes: sum((s) => s.rssBytes) };
}
