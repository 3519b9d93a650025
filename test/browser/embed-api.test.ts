// [E2E-EMBED] The widget's JavaScript API on a host page of another origin (docs/embedding.md):
// the host's own Help button opens the chat through Parley.open(), the page reads the unread
// count after an agent replies, identifies its signed-in user with the HMAC its server computed
// (the history follows to another browser), and Parley.reset() starts a fresh visitor.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { identityHash } from '../../server/core/identity.ts';
import { poll, screenshot, signIn, transcript, useBrowser, watch, widgetFrame } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
/** Runs a script in the host page (or a frame) as the host site's own code would. */
const js = <T = unknown>(target: { evaluate(script: string): Promise<unknown> }, script: string) => target.evaluate(script) as Promise<T>;
const SECRET = 'e2e-identity-secret-0123456789';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The snippet of docs/embedding.md: a stub that queues calls until widget.js replaces it. */
const STUB = `window.Parley=window.Parley||(function(p,q){"open close toggle hide show identify setAttributes on off reset unreadCount".split(" ").forEach(function(m){p[m]=function(){q.push([m,arguments])}});p.q=q;return p})({},[]);`;

/** A customer's site (http://localhost:PORT, another origin than Parley's): its server signs the logged-in user's id. */
async function startShop(): Promise<{ url: string; widgetSrc: string }> {
  const site = { url: '', widgetSrc: '' };
  const server = createServer((req, res) => {
    if (!req.url || req.url.startsWith('/favicon')) return void res.writeHead(404).end();
    if (req.url.startsWith('/evil')) {
      // A third origin inside the host page (an ad, a compromised widget): it posts the protocol's messages
      // to the host page and to the chat frame, then says it is done (after them, from the same window).
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(`<!doctype html><script>
var forged = [{ type: 'parley:unread', count: 99 }, { type: 'parley:message', from: 'agent', body: 'forged' }, { type: 'parley:close' }];
forged.forEach(function (m) { parent.postMessage(m, '*'); });
for (var i = 0; i < parent.frames.length; i++) {
  try { parent.frames[i].postMessage({ type: 'parley:reset' }, '*'); parent.frames[i].postMessage({ type: 'parley:identify', identity: { name: 'Forged' } }, '*'); } catch (e) {}
}
parent.postMessage('evil:done', '*');
</script>`);
    }
    const user = new URL(req.url, site.url).searchParams.get('user');
    // What the host's server does: HMAC-SHA256(IDENTITY_SECRET, userId), hex, into the page of the logged-in user.
    const identify = user ? `Parley.identify(${JSON.stringify({ userId: user, name: 'Ada Shopper', email: 'ada@shop.example', hash: identityHash(SECRET, user) })});` : '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<script>${STUB}
Parley.hide();
Parley.on('unread', function (n) { document.getElementById('unread').textContent = String(n); });
Parley.on('message', function (m) { (window.heard = window.heard || []).push(m.from + ': ' + m.body); });
Parley.on('ready', function () { document.body.dataset.parleyReady = '1'; });
Parley.setAttributes({ plan: 'pro', seats: 3 });
${identify}</script></head>
<body style="font-family:sans-serif;margin:40px"><h1>Shop</h1>
<button id="help" onclick="Parley.open()">Help</button> <span>Unread: <b id="unread">0</b></span>
<script src="${site.widgetSrc}" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://localhost:${(server.address() as AddressInfo).port}`;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return site;
}

describe('[E2E-EMBED] window.Parley on a host page', () => {
  it('[E2E-EMBED1] Help opens the chat, the page reads the unread count, identify follows the user, reset starts fresh', { timeout: 120_000 }, async () => {
    const shop = await startShop();
    const app = await startApp({ env: { ALLOWED_ORIGINS: shop.url, IDENTITY_SECRET: SECRET } });
    closers.push(() => app.close());
    shop.widgetSrc = `${app.url}/widget.js`;
    const laptop = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    const phone = await browser().newContext({ viewport: { width: 375, height: 740 } });
    const agentContext = await browser().newContext({ viewport: { width: 1366, height: 820 } });
    closers.push(async () => {
      await laptop.close();
      await phone.close();
      await agentContext.close();
    });

    const page = await laptop.newPage();
    const pageWatch = watch(page);
    await page.goto(shop.url);
    // Parley.hide() (queued before the loader ran): no launcher; the site's own button opens the chat.
    await poll(() => js(page, 'typeof Parley.unreadCount()')).toBe('number');
    expect(await page.locator('parley-widget').getByRole('button', { name: /open chat/i }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Help' }).click();
    const chat = widgetFrame(page);
    const box = chat.getByRole('textbox', { name: 'Message' });
    await poll(() => box.isVisible()).toBe(true);
    await poll(() => js(page, 'document.body.dataset.parleyReady')).toBe('1');
    await box.fill('Where is my order #1234?');
    await box.press('Enter');
    await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');

    const agent = await signIn(agentContext, app, { email: 'embed-agent@example.com', name: 'Grace Hopper' });
    const queued = agent.locator('.queue-item').first();
    await poll(() => queued.locator('.item-preview').textContent()).toContain('order #1234');
    await queued.getByRole('button', { name: /claim/i }).click();
    // The host page's attributes, shown to the agent.
    await poll(() => agent.locator('.context').textContent()).toContain('pro');

    // Closed by the page, then the agent replies: the page reads the count.
    await js(page, 'Parley.close()');
    await poll(() => chat.getByRole('textbox', { name: 'Message' }).isVisible()).toBe(false);
    const reply = agent.getByRole('textbox', { name: /reply to/i });
    await reply.fill('It ships today.');
    await reply.press('Enter');
    await poll(() => page.locator('#unread').textContent()).toBe('1');
    expect(await js(page, 'Parley.unreadCount()')).toBe(1);
    await poll(() => js(page, 'window.heard || []')).toContain('agent: It ships today.');
    await page.getByRole('button', { name: 'Help' }).click();
    await poll(() => page.locator('#unread').textContent()).toBe('0');

    // The user logs in on the shop: the page identifies them (their chat becomes theirs, verified).
    await page.goto(`${shop.url}/?user=ada-77`);
    await poll(() => agent.locator('.context-verified').textContent()).toContain('Verified');
    await poll(() => agent.locator('.context').textContent()).toContain('ada@shop.example');
    await screenshot(agent, 'embed-console-verified');
    await agent.setViewportSize({ width: 375, height: 740 });
    await agent.locator('.details-button').click();
    await poll(() => agent.locator('.context-verified').isVisible()).toBe(true);
    await screenshot(agent, 'embed-console-verified-375');
    await agent.locator('.context-back').click();
    await agent.setViewportSize({ width: 1366, height: 820 });

    // Another device of the same user: the same visitor, with the history.
    const mobile = await phone.newPage();
    await mobile.goto(`${shop.url}/?user=ada-77`);
    await mobile.getByRole('button', { name: 'Help' }).click();
    const mobileChat = widgetFrame(mobile);
    await poll(() => transcript(mobileChat)).toEqual(['Where is my order #1234?', 'It ships today.']);
    await screenshot(mobile, 'embed-mobile-verified');

    // A wrong hash from a page (or a forged call) never joins that visitor: a fresh context stays anonymous.
    const forged = await phone.browser()!.newContext({ viewport: { width: 1280, height: 800 } });
    closers.push(() => forged.close());
    const forgedPage = await forged.newPage();
    await forgedPage.goto(shop.url);
    await js(forgedPage, `Parley.identify({ userId: 'ada-77', hash: '${'0'.repeat(64)}' })`);
    await forgedPage.getByRole('button', { name: 'Help' }).click();
    await poll(() => widgetFrame(forgedPage).getByRole('textbox', { name: 'Message' }).isVisible()).toBe(true);
    expect(await transcript(widgetFrame(forgedPage))).toEqual([]);

    // Logout on the shop: Parley.reset() — the next visitor starts fresh, the old conversation is not shown.
    await js(page, 'Parley.reset()');
    await page.getByRole('button', { name: 'Help' }).click();
    await poll(() => box.isVisible()).toBe(true);
    await poll(() => transcript(chat)).toEqual([]);
    await box.fill('Hello again, as someone new');
    await box.press('Enter');
    await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
    expect(await transcript(chat)).toEqual(['Hello again, as someone new']);
    expect(await js(page, 'Parley.unreadCount()')).toBe(0);
    // Still the verified user's history on the phone.
    expect(await transcript(mobileChat)).toEqual(['Where is my order #1234?', 'It ships today.']);
    await screenshot(page, 'embed-desktop-after-reset');
    expect(pageWatch.errors).toEqual([]);
  });

  it('[E2E-EMBED2] with IDENTITY_REQUIRED an anonymous visitor is told to sign in; identify lets them chat', { timeout: 60_000 }, async () => {
    const shop = await startShop();
    const app = await startApp({ env: { ALLOWED_ORIGINS: shop.url, IDENTITY_SECRET: SECRET, IDENTITY_REQUIRED: 'true' } });
    closers.push(() => app.close());
    shop.widgetSrc = `${app.url}/widget.js`;
    const context = await browser().newContext({ viewport: { width: 375, height: 740 } });
    closers.push(() => context.close());
    const page = await context.newPage();
    await page.goto(shop.url);
    await page.getByRole('button', { name: 'Help' }).click();
    const chat = widgetFrame(page);
    await poll(() => chat.locator('body').textContent()).toContain('Chat is only available to signed-in users.');
    // Nothing typed here could be sent: no box to write in until the page identifies its user.
    expect(await chat.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(true);
    await screenshot(page, 'embed-identity-required-mobile');
    await page.goto(`${shop.url}/?user=lin-5`);
    await page.getByRole('button', { name: 'Help' }).click();
    const box = chat.getByRole('textbox', { name: 'Message' });
    await poll(() => box.isEnabled()).toBe(true);
    await box.fill('Signed in now');
    await box.press('Enter');
    await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
  });

  it('[E2E-EMBED3] messages from any other origin are ignored on both sides', { timeout: 60_000 }, async () => {
    const shop = await startShop();
    const app = await startApp({ env: { ALLOWED_ORIGINS: shop.url } });
    closers.push(() => app.close());
    shop.widgetSrc = `${app.url}/widget.js`;
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    closers.push(() => context.close());
    const page = await context.newPage();
    const pageWatch = watch(page);
    await page.goto(shop.url);
    await page.getByRole('button', { name: 'Help' }).click();
    const chat = widgetFrame(page);
    const box = chat.getByRole('textbox', { name: 'Message' });
    await poll(() => box.isVisible()).toBe(true);
    await box.fill('First message');
    await box.press('Enter');
    await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
    const chatFrame = page.frames().find((f) => f.url().includes('/chat?'))!;
    await js(chatFrame, 'window.marker = 1');
    // The evil frame: another origin (127.0.0.1 instead of localhost) on the host page.
    const evilOrigin = shop.url.replace('localhost', '127.0.0.1');
    await js(
      page,
      `window.evilDone = false;
       window.addEventListener('message', function (e) { if (e.data === 'evil:done') window.evilDone = true; });
       var f = document.createElement('iframe'); f.src = ${JSON.stringify(`${evilOrigin}/evil`)}; document.body.appendChild(f);`,
    );
    await poll(() => js(page, 'window.evilDone')).toBe(true);
    // The loader heard none of it: no unread count, no message event, the panel still open.
    expect(await js(page, 'Parley.unreadCount()')).toBe(0);
    expect(await js(page, 'window.heard || []')).toEqual([]);
    expect(await page.locator('#unread').textContent()).toBe('0');
    expect(await box.isVisible()).toBe(true);
    // The chat frame heard none of it either: a round trip later it was neither reset (reloaded) nor renamed.
    await box.fill('Second message');
    await box.press('Enter');
    await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
    expect(await js(chatFrame, 'window.marker')).toBe(1);
    expect(await transcript(chat)).toEqual(['First message', 'Second message']);
    const visitorIds = [...app.app.ns.visitor.sockets.values()].map((s) => s.data.visitor?.id);
    const names = await Promise.all(visitorIds.map(async (id) => (await app.store.getVisitor(id!))?.name));
    expect(names.every((n) => n !== 'Forged')).toBe(true);
    expect(pageWatch.errors).toEqual([]);
  });
});
