// [E2E-XSS] User text is only ever text: markup in a visitor's name, messages,
// page title and address runs nowhere (widget, console, dashboard), and the
// pages' headers refuse framing and inline scripts.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openWidget, poll, signIn, startHostSite, transcript, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

// injectInlineScript's callback runs in the page: these are the page's globals as far as it uses them
// (this file is typed for Node, without the DOM library).
declare const window: { injectedRan?: boolean };
declare const document: {
  body: { append(node: unknown): void };
  createElement(tag: 'script'): { textContent: string };
  addEventListener(type: 'securitypolicyviolation', fn: (e: { blockedURI: string; effectiveDirective: string }) => void): void;
};

/**
 * Appends an inline <script> to the page, as an injection would. An allowed one runs during append();
 * a refused one does not, and the browser reports the refusal (a `securitypolicyviolation`) right after.
 */
function injectInlineScript(page: Page): Promise<{ ran: boolean; refusedBy: string | null }> {
  return page.evaluate(async () => {
    const refused = new Promise<string | null>((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => {
        if (e.blockedURI === 'inline') resolve(e.effectiveDirective);
      });
      setTimeout(() => resolve(null), 5000);
    });
    const script = document.createElement('script');
    script.textContent = 'window.injectedRan = true';
    document.body.append(script);
    const ran = window.injectedRan === true;
    return { ran, refusedBy: await refused };
  });
}

/** A Content-Security-Policy header as directive → sources. */
function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0] !== '')
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

const NAME = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(1)</script>';
const JS_LINK = 'javascript:alert(document.cookie)';
const ANCHOR = '<a href="javascript:alert(2)">click me</a>';
const TITLE = "<img src=x onerror=alert('title')>";
const REPLY = '<b onmouseover=alert(5)>bold?</b>';

describe('[E2E-XSS] markup from users is shown as text', () => {
  it('[E2E-XSS1] no dialog fires in the widget, the console or the dashboard, and the text is literal', { timeout: 60_000 }, async () => {
    const host = await startHostSite();
    host.title = TITLE;
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url } });
    host.widgetSrc = `${app.url}/widget.js`;
    const visitorContext = await browser().newContext();
    const agentContext = await browser().newContext({ viewport: { width: 1366, height: 820 } });
    const adminContext = await browser().newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const visitor = await visitorContext.newPage();
      const visitorWatch = watch(visitor);
      await visitor.goto(`${host.url}/?q=<script>alert('url')</script>`);
      const chat = await openWidget(visitor);
      const input = chat.getByRole('textbox', { name: 'Message' });
      await input.fill(SCRIPT);
      await input.press('Enter');
      await chat.getByRole('button', { name: 'Tell us your name? (optional)' }).click();
      await chat.getByLabel('Name', { exact: true }).fill(NAME);
      await chat.getByRole('button', { name: 'Save' }).click();
      await poll(() => chat.locator('.msg-system').last().textContent()).toContain(`Thanks, ${NAME}!`);
      for (const body of [JS_LINK, ANCHOR]) {
        await input.fill(body);
        await input.press('Enter');
      }
      await poll(() => transcript(chat)).toEqual([SCRIPT, JS_LINK, ANCHOR]);

      const agent = await signIn(agentContext, app, { email: 'mallory-catcher@example.com', name: 'Eve' });
      const agentWatch = watch(agent);
      const queued = agent.locator('.queue-item').first();
      await poll(() => queued.locator('.item-name').textContent()).toBe(NAME);
      await poll(() => queued.locator('.item-preview').textContent()).toBe(ANCHOR);
      await queued.getByRole('button', { name: /claim/i }).click();
      await poll(() => transcript(agent)).toEqual([SCRIPT, JS_LINK, ANCHOR]);
      await poll(() => agent.locator('.pane-title').textContent()).toBe(NAME);
      await poll(() => agent.locator('.context-page-title').textContent()).toBe(TITLE);
      expect(await agent.locator('.context-url').first().textContent()).toContain('/?q=');
      await agent.getByRole('textbox', { name: /reply to/i }).fill(REPLY);
      await agent.getByRole('textbox', { name: /reply to/i }).press('Enter');
      await poll(() => transcript(chat)).toEqual([SCRIPT, JS_LINK, ANCHOR, REPLY]);

      const admin = await signIn(adminContext, app, { email: 'root@example.com', name: 'Root', role: 'admin' }, '/admin');
      const adminWatch = watch(admin);
      const row = admin.locator('tr[data-visitor]').first();
      await poll(() => row.locator('td').first().textContent()).toBe(NAME);
      await poll(() => row.locator('.page-title-text').textContent()).toBe(TITLE);

      // Clicking and hovering what looks like links and markup does nothing either.
      await chat.locator('.msg-body', { hasText: JS_LINK }).click();
      await chat.locator('.msg-body', { hasText: REPLY }).hover();
      await agent.locator('.msg-body', { hasText: ANCHOR }).click();
      await agent.locator('.msg-body', { hasText: JS_LINK }).click();
      await visitor.waitForTimeout(300);

      for (const scope of [chat, agent, admin]) {
        expect(await scope.locator('img').count(), 'no <img> was created from user text').toBe(0);
        // The page's own language data (<script type="application/json" id="parley-i18n">) is data, never run.
        expect(await scope.locator('a[href^="javascript"], script:not([src]):not([type="application/json"]), [onerror], [onmouseover]').count()).toBe(0);
      }
      const watches = [visitorWatch, agentWatch, adminWatch];
      expect(watches.flatMap((w) => w.dialogs)).toEqual([]);
      expect(watches.flatMap((w) => w.errors)).toEqual([]);
    } finally {
      await visitorContext.close();
      await agentContext.close();
      await adminContext.close();
      await host.close();
    }
  });

  it('[E2E-XSS2] pages send a strict CSP; console, dashboard and login refuse framing; the chat is framed only by allowed sites', { timeout: 60_000 }, async () => {
    const allowed = await startHostSite();
    const stranger = await startHostSite();
    const app = await startApp({ env: { ALLOWED_ORIGINS: allowed.url } });
    const visitorContext = await browser().newContext();
    const agentContext = await browser().newContext();
    const adminContext = await browser().newContext();
    try {
      // Each page as a browser is served it: the console and the dashboard signed in (signed out they are a redirect).
      const visitorPage = await visitorContext.newPage();
      const agentPage = await signIn(agentContext, app, { email: 'csp-agent@example.com', name: 'Ann' });
      const adminPage = await signIn(adminContext, app, { email: 'csp-admin@example.com', name: 'Root', role: 'admin' }, '/admin');
      const pages: Array<[path: string, page: Page, frameAncestors: string[]]> = [
        ['/', visitorPage, ["'self'"]],
        ['/chat', visitorPage, ["'self'", allowed.url]],
        ['/login', visitorPage, ["'none'"]],
        ['/agent', agentPage, ["'none'"]],
        ['/admin', adminPage, ["'none'"]],
      ];
      for (const [path, page, frameAncestors] of pages) {
        const res = await page.goto(app.url + path);
        expect([res?.status(), page.url()], `${path} served, not redirected`).toEqual([200, app.url + path]);
        const headers = res!.headers();
        expect(directives(headers['content-security-policy'] ?? ''), `${path}: Content-Security-Policy`).toMatchObject({
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'none'"],
          'frame-ancestors': frameAncestors,
        });
        // Older browsers ignore frame-ancestors; X-Frame-Options has no allow-list, so it is sent where framing is refused outright.
        expect(headers['x-frame-options'] ?? null, `${path}: X-Frame-Options`).toBe(frameAncestors[0] === "'none'" ? 'DENY' : null);
        expect(await injectInlineScript(page), `${path}: an injected inline script`).toEqual({ ran: false, refusedBy: 'script-src-elem' });
      }

      // A site that is not in ALLOWED_ORIGINS embeds the widget: the browser refuses to show the chat in it.
      stranger.widgetSrc = `${app.url}/widget.js`;
      const context = await browser().newContext();
      const page = await context.newPage();
      await page.goto(stranger.url);
      await page.locator('parley-widget').getByRole('button', { name: /open chat/i }).click();
      await poll(() => page.frames().map((f) => f.url())).toContainEqual(expect.stringMatching(/^chrome-error:/));
      expect(await page.frameLocator('parley-widget iframe').locator('.chat').count()).toBe(0);
      await context.close();
    } finally {
      await visitorContext.close();
      await agentContext.close();
      await adminContext.close();
      await allowed.close();
      await stranger.close();
    }
  });
});
