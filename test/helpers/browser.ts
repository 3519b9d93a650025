// Real Chromium for the browser tests (playwright-core driving Debian's
// /usr/bin/chromium, never a downloaded browser): one browser per test file,
// a second local "customer site" that embeds the widget, and page watchers.

import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildClient } from '../../scripts/build-client.ts';
import type { TestApp } from './start-app.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the client bundles and launches Chromium for this file; closes it afterwards. */
export function useBrowser(): () => Browser {
  let browser: Browser | null = null;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: the browser tests need it. ` +
          '`npm test` installs it when run as root (scripts/provision.ts); or run `apt-get install -y chromium`.',
      );
    }
    const { overBudget } = await buildClient();
    expect(overBudget, 'client bundles over budget').toEqual([]);
    // launch() gives every run a fresh, temporary user-data directory.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('browser not started');
    return browser;
  };
}

export interface Watch {
  dialogs: string[];
  errors: string[];
}

/** Records every dialog (and dismisses it), every uncaught page error and every CSP refusal. */
export function watch(page: Page): Watch {
  const w: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    w.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (err) => w.errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) w.errors.push(msg.text());
  });
  return w;
}

export interface HostSite {
  /** http://localhost:PORT — another site than Parley's http://127.0.0.1:PORT. */
  url: string;
  /** What the host page embeds: Parley's loader URL (set once the app's port is known). */
  widgetSrc: string;
  /** The script tag's data-lang (the host site choosing the widget's language), when set. */
  widgetLang?: string;
  title: string;
  close(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A customer's website on a second local server. Its CSS is deliberately
 * hostile (it restyles every button, div and iframe) to prove the widget is isolated.
 */
export async function startHostSite(): Promise<HostSite> {
  const site: HostSite = { url: '', widgetSrc: '', title: 'Acme Outdoor — Tents', close: async () => {} };
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/favicon')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(site.title)}</title>
<style>
  body { font-family: Georgia, serif; margin: 0; background: #fdf6ec; color: #3b2f2f; }
  header { background: #2f4f4f; color: #fff; padding: 20px 40px; font-size: 22px; }
  main { padding: 32px 40px; max-width: 640px; line-height: 1.6; }
  button, div, iframe { border: 6px dashed red !important; background: yellow !important; font-size: 30px !important; }
</style></head>
<body><header>Acme Outdoor</header><main><h1>Four-season tents</h1>
<p>Storm-proof shelters for every trip. Questions about sizes or delivery? Our team is one click away.</p>
<p>Free shipping on orders over $100 and 30-day returns.</p></main>
<script src="${escapeHtml(site.widgetSrc)}"${site.widgetLang ? ` data-lang="${escapeHtml(site.widgetLang)}"` : ''} async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://localhost:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

/** expect.poll with room for a loaded 2-core machine (vitest's default gives up after 1 s). */
export function poll<T>(fn: () => T | Promise<T>, opts: { timeout?: number } = {}) {
  return expect.poll(fn, { timeout: 10_000, interval: 50, ...opts });
}

/** The widget's chat frame inside the host page's shadow root. */
export function widgetFrame(page: Page): FrameLocator {
  return page.frameLocator('parley-widget iframe');
}

export async function openWidget(page: Page): Promise<FrameLocator> {
  await page.locator('parley-widget').getByRole('button', { name: /open chat/i }).click();
  const frame = widgetFrame(page);
  await poll(() => frame.getByRole('textbox', { name: 'Message' }).isVisible()).toBe(true);
  return frame;
}

/** Creates an account (once) and signs in through the login page. */
export async function signIn(
  context: BrowserContext,
  app: TestApp,
  who: { email: string; name: string; role?: 'agent' | 'admin' },
  path = '/agent',
): Promise<Page> {
  const password = `pw-${who.email}-secret`;
  if (!(await app.store.getAgentByEmail(who.email))) {
    await app.app.accounts.createAgent({ email: who.email, name: who.name, password, role: who.role ?? 'agent' });
  }
  const page = await context.newPage();
  await page.goto(`${app.url}/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${app.url}${path}`);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

/** The texts of a transcript's messages, in order (pending ones included). */
export async function transcript(scope: Page | FrameLocator): Promise<string[]> {
  return scope.locator('.msg .msg-body').allTextContents();
}

export interface SocketGate {
  /** From now on the page's Socket.IO traffic (long-polling requests, WebSocket handshakes) fails, as on a dead network. */
  close(): void;
  /** Lets it through again: the page's own reconnection finds the server. */
  open(): void;
}

/**
 * Blocks and unblocks the Socket.IO transport of one page (its frames' too, and across reloads) or of
 * every page of a context, while the server keeps running: pages and the HTTP API still load. Opened at
 * first. A connection already up is not cut by close(): the test drops it at the server (`socket.conn.close()`).
 */
export async function socketGate(scope: Page | BrowserContext): Promise<SocketGate> {
  let blocked = false;
  await scope.route(/\/socket\.io\//, (route) => (blocked ? route.abort('internetdisconnected') : route.fallback()));
  await scope.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (blocked) return ws.close();
    ws.connectToServer();
  });
  return {
    close: () => {
      blocked = true;
    },
    open: () => {
      blocked = false;
    },
  };
}

/**
 * Records the duration of every main-thread long task (over 50 ms) of every page of the context, from
 * its first script on, in `window.__longTasks` of each frame; read them with longTasks().
 */
export async function watchLongTasks(context: BrowserContext): Promise<void> {
  // A string: it runs in the page, and this file is typed for Node, without the DOM library.
  await context.addInitScript({
    content: `window.__longTasks = [];
new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longTasks.push(entry.duration); })
  .observe({ type: 'longtask', buffered: true });`,
  });
}

export async function longTasks(page: Page): Promise<number[]> {
  return (await page.evaluate('window.__longTasks || []')) as number[];
}

declare const window: { __notes: string[]; __hidden: boolean; __chimes: number };
declare const document: object;
declare const OscillatorNode: { prototype: { start(when?: number): void } };

/**
 * An init script (context.addInitScript) standing in for the browser's Notification API and page
 * visibility, and counting the chime's oscillators: a test can hide the tab (`window.__hidden`),
 * and reads what it showed (`window.__notes`, "title: body") and played (`window.__chimes`).
 */
export const OBSERVE_ALERTS = () => {
  const w = window;
  w.__notes = [];
  w.__hidden = false;
  w.__chimes = 0;
  class FakeNotification {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    onclick: (() => void) | null = null;
    constructor(title: string, opts?: { body?: string }) {
      w.__notes.push(`${title}: ${opts?.body ?? ''}`);
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: FakeNotification });
  Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (this: unknown, when?: number) {
    w.__chimes++;
    return start.call(this, when);
  };
};
