// The client bundles in dist/ (built by scripts/build-client.ts): pages link
// content-hashed names, cached for a year since a new build gives new names;
// each file is sent brotli- or gzip-compressed, as built, when the browser
// accepts it. The loader (/widget.js) keeps its address, as sites embed it.

import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Router, type Request, type Response, type NextFunction } from 'express';

const DIST = new URL('../../dist/', import.meta.url).pathname;

const YEAR = 'public, max-age=31536000, immutable';
/** Sites embed the loader by its address: cached briefly, so a deploy reaches them within minutes. */
const LOADER = 'public, max-age=300';

/** A file name under /assets: letters, digits and dashes, an optional 10-hex hash, an extension. No path. */
const ASSET_NAME = /^[a-z0-9-]{1,40}(\.[0-9a-f]{10})?\.(js|css|svg)$/;

export interface StaticAssets {
  /** The page shell with each logical asset path replaced by its hashed one. */
  link(html: string): string;
  router: Router;
}

/** Logical → hashed paths from the build's manifest; without one (no build yet), pages link the logical names. */
function readManifest(): Record<string, string> {
  try {
    return (JSON.parse(readFileSync(`${DIST}manifest.json`, 'utf8')) as { assets: Record<string, string> }).assets;
  } catch {
    return {};
  }
}

export function staticAssets(): StaticAssets {
  const manifest = readManifest();
  const favicon = manifest['/assets/favicon.svg'] ?? '/assets/favicon.svg';
  const router = Router();

  router.get('/widget.js', (req, res, next) => {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    send(req, res, next, 'widget.js', LOADER);
  });
  router.get('/assets/:name', (req, res, next) => {
    const name = String(req.params.name);
    const match = name.length <= 64 ? ASSET_NAME.exec(name) : null;
    if (!match) return next();
    send(req, res, next, `assets/${name}`, match[1] ? YEAR : 'no-cache');
  });
  // Browsers ask for /favicon.ico on every page that names none (and some even when one is named).
  router.get('/favicon.ico', (req, res, next) => send(req, res, next, favicon.slice(1), 'public, max-age=86400'));
  router.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });

  return {
    link: (html) => html.replace(/"(\/assets\/[a-z0-9-]{1,40}\.(?:js|css|svg))"/g, (whole, path: string) => (manifest[path] ? `"${manifest[path]}"` : whole)),
    router,
  };
}

/** Sends dist/<file>, or its .br / .gz twin when the browser accepts that encoding. */
function send(req: Request, res: Response, next: NextFunction, file: string, cacheControl: string): void {
  const path = `${DIST}${file}`;
  if (!existsSync(path)) {
    if (file === 'widget.js') return next(new Error('dist/widget.js is missing: run `npm run build`'));
    return next();
  }
  // Brotli is smaller: preferred whenever accepted, whatever order the browser lists them in.
  const encoding = req.acceptsEncodings('br') ? 'br' : req.acceptsEncodings('gzip') ? 'gzip' : null;
  const twin = encoding && `${path}.${encoding === 'br' ? 'br' : 'gz'}`;
  const encoded = twin && existsSync(twin) ? twin : null;
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Cache-Control', cacheControl);
  // The type of the file itself, not of its compressed twin (sendFile keeps a type already set).
  res.type(extname(file));
  if (encoded && encoding) res.setHeader('Content-Encoding', encoding);
  res.sendFile(encoded ?? path, { dotfiles: 'deny', cacheControl: false }, (err) => {
    if (err && !res.headersSent) next(err);
  });
}
