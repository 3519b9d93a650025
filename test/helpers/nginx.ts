// Runs Debian's nginx with the shipped docs/nginx.conf in front of test nodes:
// only the upstream servers and the listen address are swapped for the test's.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './services.ts';

export interface Nginx {
  url: string;
  /** nginx's error log so far (level warn: upstream failures, "no live upstreams"). */
  errorLog(): string;
  /** With `accessLog: true`: one line per request, `<epoch s.ms> <status> <upstream> <method> <uri>`; else ''. */
  accessLog(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Log every request with its status and upstream (the fault suite counts 502s); off by default. */
  accessLog?: boolean;
}

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

export async function startNginx(upstreamPorts: number[], opts: NginxOptions = {}): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed: run `npm test` as root (scripts/provision.ts installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const port = await freePort();
  const shipped = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'nginx.conf'), 'utf8');
  const servers = upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n');
  const site = shipped
    .replace(/(upstream parley \{\n[^}]*?)(    server 127\.0\.0\.1:3001[^\n]*\n    server 127\.0\.0\.1:3002[^\n]*\n)/, `$1${servers}\n`)
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
  if (site === shipped || !site.includes(`listen 127.0.0.1:${port}`)) throw new Error('docs/nginx.conf no longer has the shape this test rewrites');
  writeFileSync(join(dir, 'parley.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  ${opts.accessLog ? `log_format parley_status '$msec $status "$upstream_addr" $request_method $uri';\n  access_log ${dir}/access.log parley_status;` : 'access_log off;'}
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/parley.conf;
}
`,
  );
  const child = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${out}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not come up: ${out}`);
    await sleep(50);
  }
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  return {
    url,
    errorLog: () => read('error.log'),
    accessLog: () => read('access.log'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
