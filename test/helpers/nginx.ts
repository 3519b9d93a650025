// Runs Debian's nginx with the shipped docs/nginx.conf in front of test nodes. Only addresses are
// swapped for the test's: the upstream servers' addresses (each keeps the shipped line's
// parameters: max_fails, …), the listen addresses, and the certificate paths (a throw-away
// self-signed one). Without `tls`, the HTTPS server listens in plain HTTP (its ssl_ lines dropped)
// so that tests can use fetch and socket.io-client without certificates; everything else is as shipped.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './services.ts';

export interface Nginx {
  /** The service's address: http://… or, with `tls`, https://… */
  url: string;
  /** The plain-HTTP server that redirects to HTTPS. */
  redirectUrl: string;
  /** nginx's error log so far (what it said about its upstreams). */
  errorLog(): string;
  /** With `accessLog: true`: one line per request, `<epoch s.ms> <status> "<upstream>" <method> <uri>`; else ''. */
  accessLog(): string;
  stop(): Promise<void>;
}

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

export function shippedConfig(): string {
  return readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'nginx.conf'), 'utf8');
}

/** The shipped upstream's `server` lines' parameters, in order (`max_fails=0`, …). */
export function shippedServerParameters(shipped = shippedConfig()): string[] {
  const upstream = /upstream parley \{([^}]*)\}/.exec(shipped)?.[1] ?? '';
  return [...upstream.matchAll(/^\s*server\s+\S+((?:\s+[^;\s]+)*)\s*;/gm)].map((m) => m[1].trim());
}

function rewrite(shipped: string, upstreamPorts: number[], ports: { main: number; redirect: number }, tls: { cert: string; key: string } | null): string {
  const params = shippedServerParameters(shipped);
  if (params.length === 0) throw new Error('docs/nginx.conf no longer has the upstream this test rewrites');
  const servers = upstreamPorts.map((p, i) => `    server 127.0.0.1:${p}${params[Math.min(i, params.length - 1)] ? ` ${params[Math.min(i, params.length - 1)]}` : ''};`).join('\n');
  let site = shipped.replace(/(upstream parley \{[^}]*?)((?:^\s*server\s[^;]*;\s*\n)+)/m, `$1${servers}\n`);
  if (!site.includes(`127.0.0.1:${upstreamPorts[0]}`)) throw new Error('docs/nginx.conf no longer has the upstream this test rewrites');
  if (!/listen 443 ssl;/.test(site)) throw new Error('docs/nginx.conf no longer has the `listen 443 ssl;` server this test rewrites');
  site = site.replace(/listen 80;/, `listen 127.0.0.1:${ports.redirect};`);
  if (tls) {
    site = site
      .replace('listen 443 ssl;', `listen 127.0.0.1:${ports.main} ssl;`)
      .replace(/ssl_certificate\s+[^;]+;/, `ssl_certificate ${tls.cert};`)
      .replace(/ssl_certificate_key\s+[^;]+;/, `ssl_certificate_key ${tls.key};`);
  } else {
    site = site.replace('listen 443 ssl;', `listen 127.0.0.1:${ports.main};`).replace(/^\s*ssl_[a-z_]+\s[^;]*;\s*$/gm, '');
  }
  return site;
}

/** A throw-away self-signed certificate for 127.0.0.1. */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr ?? made.error?.message}`);
  return { cert, key };
}

/** A request over HTTPS to the test certificate (which fetch does not take): status, raw headers, body. */
export function insecureRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: opts.method ?? 'GET', rejectUnauthorized: false, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Every value of header `name` in raw headers ([name, value, name, value, …]). */
export function headerValues(raw: string[], name: string): string[] {
  return raw.filter((_, i) => i % 2 === 1 && raw[i - 1].toLowerCase() === name);
}

export interface NginxOptions {
  tls?: boolean;
  /** Log every request with its status and upstream (the fault suite counts 502s); off by default. */
  accessLog?: boolean;
}

export async function startNginx(upstreamPorts: number[], opts: NginxOptions = {}): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed: run `npm test` as root (scripts/provision.ts installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const ports = { main: await freePort(), redirect: await freePort() };
  const site = rewrite(shippedConfig(), upstreamPorts, ports, opts.tls ? selfSigned(dir) : null);
  writeFileSync(join(dir, 'parley.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  ${opts.accessLog ? `log_format parley_status '$msec $status "$upstream_addr" $request_method $uri "$arg_sid"';\n  access_log ${dir}/access.log parley_status;` : 'access_log off;'}
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
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${ports.main}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${out}${errorLog()}`);
    try {
      if ((opts.tls ? (await insecureRequest(`${url}/healthz`)).status : (await fetch(`${url}/healthz`)).status) === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not come up: ${out}${errorLog()}`);
    await sleep(50);
  }
  return {
    url,
    redirectUrl: `http://127.0.0.1:${ports.redirect}`,
    errorLog,
    accessLog: () => (existsSync(join(dir, 'access.log')) ? readFileSync(join(dir, 'access.log'), 'utf8') : ''),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
