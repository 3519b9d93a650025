// What the balancer and the nodes said during a scenario, summed up: the causes behind the
// checker's figures (requests nginx could not place, handler failures, shutdown exit codes).

import type { Nginx } from '../helpers/nginx.ts';
import { logEvents } from './stack.ts';

export interface NginxEvidence {
  requests: number;
  /** Answers by status, for 4xx/5xx only. */
  errors: Record<string, number>;
  /** "no live upstreams": every node was tried (or marked down) and none took the request. */
  noLiveUpstreams: number;
  /**
   * Those of them that opened no Engine.IO session or page (a handshake, a page, an API call): a
   * client locked out. The others were requests of a session whose node had died or was draining;
   * the other node answered 503 for it too (it does not hold it), and the client opens a new one.
   */
  lockedOut: number;
  /** From the first to the last lockout (ms), when there were any. */
  lockoutSpanMs: number;
  /** Upstream connections refused or reset (a node down or going). */
  upstreamFailures: number;
  /** The kinds of error lines nginx wrote, with counts (request details stripped). */
  errorKinds: Record<string, number>;
}

export function nginxEvidence(nginx: Nginx): NginxEvidence {
  const errors: Record<string, number> = {};
  let requests = 0;
  const noUpstreamAt: number[] = [];
  for (const line of nginx.accessLog().split('\n')) {
    // `$msec $status "$upstream_addr" $request_method $uri "$arg_sid"` (test/helpers/nginx.ts)
    const m = /^(\d+\.\d+) (\d{3}) "([^"]*)" \S+ \S+ "([^"]*)"/.exec(line);
    if (!m) continue;
    requests++;
    const status = Number(m[2]);
    if (status >= 400) errors[m[2]] = (errors[m[2]] ?? 0) + 1;
    // With no server left to try, nginx names the upstream group last instead of an address.
    if (status === 502 && /(?:^|, )parley$/.test(m[3]) && m[4] === '') noUpstreamAt.push(Number(m[1]) * 1000);
  }
  const log = nginx.errorLog();
  const count = (re: RegExp) => (log.match(re) ?? []).length;
  const errorKinds: Record<string, number> = {};
  for (const line of log.split('\n')) {
    // `2026/01/01 10:00:00 [error] 123#123: *45 connect() failed (111: Connection refused) while connecting to upstream, client: …`
    const kind = /\[(?:error|warn|crit)\] \d+#\d+: (?:\*\d+ )?([^,]+)/.exec(line)?.[1];
    if (kind) errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  }
  return {
    requests,
    errors,
    noLiveUpstreams: count(/no live upstreams/g),
    lockedOut: noUpstreamAt.length,
    lockoutSpanMs: noUpstreamAt.length ? Math.max(...noUpstreamAt) - Math.min(...noUpstreamAt) : 0,
    upstreamFailures: count(/connect\(\) failed|upstream prematurely closed|reset by peer/g),
    errorKinds,
  };
}

export function describeNginx(e: NginxEvidence): string {
  const errors = Object.entries(e.errors).map(([code, n]) => `${n}×${code}`).join(', ') || 'none';
  const lockout = e.noLiveUpstreams
    ? `; ${e.noLiveUpstreams} answered 502 "no live upstreams" (${e.lockedOut} of them new connections or pages, over ${(e.lockoutSpanMs / 1000).toFixed(1)} s; the rest polls of a session no node held any more)`
    : '';
  const kinds = Object.entries(e.errorKinds).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${n}× ${k}`).join('; ');
  return `nginx: ${e.requests} requests, error answers ${errors}${lockout}${kinds ? `; error log: ${kinds}` : ''}`;
}

/** Counts of the node log events that explain failures. */
export function describeNodeLogs(logs: string): string {
  const events = [
    'handler.failed',
    'handshake.failed',
    'http.failed',
    'fanout.failed',
    'presence.failed',
    'presence.settle_failed',
    'sequencer.fill_failed',
    'connect.snapshot_failed',
    'process.unhandled_rejection',
    'server.stop_failed',
    'cluster.node_reaped',
    'cluster.registrations_restored',
    'cluster.tick_failed',
    'resync',
    'redis.error',
    'redis.publish_failed',
    'pg_pool_error',
    'pg_client_error',
  ];
  const counts = events.map((e) => [e, logEvents(logs, e).length] as const).filter(([, n]) => n > 0);
  // The causes of handler failures (the errors behind `internal` answers), most frequent first.
  const causes = new Map<string, number>();
  for (const line of logEvents(logs, 'handler.failed')) {
    const handler = /"handler":"([^"]+)"/.exec(line)?.[1] ?? '?';
    const message = /"message":"([^"]{0,120})/.exec(line)?.[1] ?? '?';
    const key = `${handler}: ${message}`;
    causes.set(key, (causes.get(key) ?? 0) + 1);
  }
  const top = [...causes].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `${n}× ${k}`);
  return `node logs: ${counts.map(([e, n]) => `${n}× ${e}`).join(', ') || 'no failure events'}${top.length ? ` (handler failures: ${top.join('; ')})` : ''}`;
}
