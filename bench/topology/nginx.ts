// nginx in front of a bench cluster, from the shipped docs/nginx.conf, as the
// tests run it (test/helpers/nginx.ts): the same proxy settings, plain HTTP on
// loopback (the ssl_ lines dropped: TLS is not what is compared), and only the
// addresses swapped. One difference: the shipped site is instantiated once per
// entry point, each with its own listen port and an upstream of its own nodes.
// The shipped upstream hashes on the session cookie (or the client address), so
// which node a client lands on would be up to the hash — and the baseline's
// clients, which have no session cookie and all come from 127.0.0.1, would all
// land on one node. With one entry point per node, the load generators pick the
// node by the address they connect to (visitors → node 1, agents → node 2), and
// every request still crosses nginx with the shipped configuration.

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedConfig, shippedServerParameters } from '../../test/helpers/nginx.ts';
import type { ProcessGroup } from '../lib/processes.ts';
import { sleep } from '../lib/stats.ts';

export interface BenchNginx {
  /** http://127.0.0.1:PORT per entry point, in the order of the upstreams given. */
  urls: string[];
  /** The master process (its worker is its child). */
  pid: number;
  errorLog(): string;
  stop(): Promise<void>;
}

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** The shipped site with one upstream (`name`, the nodes at `ports`) and one plain-HTTP listener. */
export function entrySite(shipped: string, name: string, ports: number[], listen: number, redirect: number): string {
  const params = shippedServerParameters(shipped);
  const upstream = /upstream parley \{[^}]*\}/.exec(shipped)?.[0];
  if (!upstream || params.length === 0 || !/listen 443 ssl;/.test(shipped) || !/listen 80;/.test(shipped)) {
    throw new Error('docs/nginx.conf no longer has the upstream and servers the bench rewrites');
  }
  const servers = ports.map((p, i) => `    server 127.0.0.1:${p} ${params[Math.min(i, params.length - 1)]};`).join('\n');
  const mine = upstream.replace('upstream parley {', `upstream ${name} {`).replace(/((?:^\s*server\s[^;]*;\s*\n)+)/m, `${servers}\n`);
  // The maps are http-level and may be declared once: they stay in the first entry point only.
  const body = shipped.slice(shipped.indexOf('upstream parley {'));
  return body
    .replace(upstream, mine)
    .replaceAll('proxy_pass http://parley;', `proxy_pass http://${name};`)
    .replace('listen 80;', `listen 127.0.0.1:${redirect};`)
    .replace('listen 443 ssl;', `listen 127.0.0.1:${listen};`)
    .replace(/^\s*ssl_[a-z_]+\s[^;]*;\s*$/gm, '');
}

/** The shipped file's http-level maps (everything before the upstream). */
export function shippedMaps(shipped: string): string {
  return shipped.slice(0, shipped.indexOf('upstream parley {'));
}

export async function startBenchNginx(opts: {
  group: ProcessGroup;
  core: number | null;
  /** Node ports per entry point. */
  upstreams: number[][];
  freePort(): Promise<number>;
}): Promise<BenchNginx> {
  if (!NGINX) throw new Error('nginx is not installed: run `npm test` as root once (scripts/provision.ts installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const shipped = shippedConfig();
  const listens: number[] = [];
  let site = shippedMaps(shipped);
  for (const [i, ports] of opts.upstreams.entries()) {
    const listen = await opts.freePort();
    listens.push(listen);
    site += entrySite(shipped, `parley_entry${i + 1}`, ports, listen, await opts.freePort());
  }
  writeFileSync(join(dir, 'parley.conf'), site);
  // One worker: the whole server side shares one core. Every proxied WebSocket takes two
  // connections of the worker (client and upstream): thousands of clients need the limits raised.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
worker_rlimit_nofile 65536;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 32768; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/parley.conf;
}
`,
  );
  const child: ChildProcess = opts.group.spawn(opts.core, NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-10_000)));
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-10_000) : '');
  const urls = listens.map((p) => `http://127.0.0.1:${p}`);
  const stop = async () => {
    await opts.group.stop(child, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (const url of urls) {
    for (;;) {
      if (child.exitCode !== null) {
        const log = out + errorLog();
        await stop();
        throw new Error(`nginx exited: ${log}`);
      }
      const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) {
        const log = out + errorLog();
        await stop();
        throw new Error(`nginx did not come up: ${log}`);
      }
      await sleep(50);
    }
  }
  return { urls, pid: child.pid!, errorLog, stop };
}
