// [STATIC] The client bundles over HTTP: pages link content-hashed names cached
// for a year, every file is sent compressed when the browser accepts it, and
// nothing outside the built files is reachable (docs/deployment.md "Static files").

import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with exactly these headers, body as sent (fetch would decompress it). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The asset paths a page links (scripts, styles, icon). */
function linked(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

describe('[STATIC] bundles, styles and icons', () => {
  let t: TestApp;
  beforeAll(async () => {
    const { overBudget } = await buildClient();
    expect(overBudget).toEqual([]);
  });

  it('[STATIC1] every page links hashed assets that exist, cached for a year, with their own type', async () => {
    t = await startApp();
    const { cookie } = await t.login('static@example.com', { role: 'admin' });
    const seen = new Set<string>();
    for (const page of ['/', '/chat', '/login', '/agent', '/admin']) {
      const res = await get(t.url, page, page === '/login' ? {} : { cookie });
      expect(res.status, page).toBe(200);
      const assets = linked(res.body.toString('utf8'));
      expect(assets.length, `${page} links its assets`).toBeGreaterThanOrEqual(2);
      for (const path of assets) {
        expect(path, `${page} links a hashed name`).toMatch(/^\/assets\/[a-z-]+\.[0-9a-f]{10}\.(js|css|svg)$/);
        seen.add(path);
      }
    }
    const types: Record<string, string> = { js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml' };
    for (const path of seen) {
      const res = await get(t.url, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
      expect(String(res.headers['content-type']), path).toContain(types[path.split('.').pop()!]);
      expect(res.headers['content-encoding'], path).toBeUndefined();
    }
    // The unhashed names still answer, revalidated on every use.
    const plain = await get(t.url, '/assets/console.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache');
  });

  it('[STATIC2] brotli when accepted (in any order), else gzip, else as is; the same bytes once decoded', async () => {
    t = await startApp();
    const html = (await get(t.url, '/chat')).body.toString('utf8');
    const script = linked(html).find((p) => p.endsWith('.js'))!;
    const identity = await get(t.url, script);
    const br = await get(t.url, script, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(identity.body.length / 2);
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    const gz = await get(t.url, script, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(identity.body)).toBe(true);
    const refused = await get(t.url, script, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(identity.body)).toBe(true);
    // The loader keeps its address and a short cache (sites embed it), compressed as well.
    const loader = await get(t.url, '/widget.js', { 'accept-encoding': 'br' });
    expect(loader.status).toBe(200);
    expect(loader.headers['content-encoding']).toBe('br');
    expect(loader.headers['cache-control']).toBe('public, max-age=300');
    expect(loader.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('[STATIC3] /favicon.ico answers; names outside the build, paths and unknown hashes are 404', async () => {
    t = await startApp();
    const icon = await get(t.url, '/favicon.ico');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    expect(icon.body.toString('utf8')).toContain('<svg');
    for (const path of ['/assets/nothing.0123456789.js', '/assets/..%2f..%2fpackage.json', '/assets/chat.js.br', '/assets/manifest.json', '/assets/', `/assets/${'a'.repeat(5000)}.js`]) {
      const res = await get(t.url, path);
      expect(res.status, path).toBe(404);
    }
  });
});
