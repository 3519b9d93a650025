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

/** pid → parent pid of every process (one scan of /proc). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  return map;
}

/** The roots and every descendant of them (PostgreSQL's backends, nginx's workers). */
export function processTree(roots: number[]): number[] {
  const ppid = parents();
  const all = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of ppid) {
      if (!all.has(pid) && all.has(parent)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return [...all];
}

/** Proportional set size (shared pages divided among the processes that map them), bytes. */
function pssBytes(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time and memory of whole process trees (a cluster: nodes, nginx and its workers, Redis,
 * the postmaster and every backend). CPU sums every thread of every process alive at the sample;
 * memory sums PSS, not RSS: PostgreSQL's backends all map the same shared buffers, which RSS would
 * count once per backend. Processes that exited between two samples are missed (the pools keep
 * their connections, so nothing of the window's work exits).
 */
export function sampleTrees(roots: number[]): ProcSample {
  const at = performance.now();
  let cpu: number | null = 0;
  let wait: number | null = 0;
  let mem: number | null = 0;
  for (const pid of processTree(roots)) {
    const sched = schedMicros(pid);
    const m = pssBytes(pid);
    // A process that ended between the scan and the read counts as nothing.
    if (sched !== null && cpu !== null && wait !== null) {
      cpu += sched[0];
      wait += sched[1];
    }
    if (m !== null && mem !== null) mem += m;
  }
  return { at, cpuMicros: cpu, waitMicros: wait, rssBytes: mem };
}
