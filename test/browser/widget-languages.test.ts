// [I18N-WIDGET] The visitor's chat in the visitor's language: the loader on the demo page and the
// full-page /chat, chosen from the browser's locale (Accept-Language and navigator.languages), or by
// the host site's data-lang, or by the admin's WIDGET_LANGUAGE (the loader follows what the chat chose).
// Texts are compared with the catalogues, not copies; Arabic mirrors (launcher and panel on the left,
// the visitor's own bubbles on the left, the send button on the left). And the login page in German.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFormatter, type Values } from '../../i18n/format.ts';
import { arrived, ok } from '../helpers/clients.ts';
import { poll, screenshot, startHostSite, type HostSite, useBrowser, watch, widgetFrame } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const I18N = join(import.meta.dirname, '..', '..', 'i18n');

type Messages = Record<string, string>;
const catalogue = (lang: string, ...surfaces: string[]): Messages =>
  Object.assign({}, ...surfaces.map((s) => JSON.parse(readFileSync(join(I18N, lang, `${s}.json`), 'utf8')) as Messages));

/** A catalogue with its messages formatted as the page formats them. */
function speaker(lang: string, ...surfaces: string[]) {
  const messages = catalogue(lang, ...surfaces);
  const formatter = createFormatter(lang);
  return (key: string, values?: Values) => {
    expect(messages[key], `${lang}: ${key}`).toBeDefined();
    return formatter.format(messages[key], values);
  };
}

const ENGLISH = catalogue('en', 'common', 'widget');

/** English widget texts that must not show in a translated panel: whole messages without placeholders, where the translation differs. */
function englishLeftIn(text: string, lang: string): string[] {
  const translated = catalogue(lang, 'common', 'widget');
  return Object.entries(ENGLISH)
    .filter(([key, en]) => !en.includes('{') && en.length >= 4 && translated[key] !== en && text.includes(en))
    .map(([key]) => key);
}

const box = async (locator: Locator) => {
  const b = await locator.boundingBox();
  expect(b, 'element on screen').not.toBeNull();
  return b!;
};

/** What the chat's own Intl makes of a time, in the browser (the bubble must say exactly that). */
const browserClock = (page: Page, iso: string, lang: string) =>
  page.evaluate(([d, l]) => new Intl.DateTimeFormat(l, { hour: 'numeric', minute: '2-digit' }).format(new Date(d)), [iso, lang] as const);

let host: HostSite | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

/** The visitor writes; an agent claims and answers. Checks the texts on the way, in `lang`. */
async function converse(page: Page, chat: FrameLocator | Page, app: Awaited<ReturnType<typeof startApp>>, lang: string) {
  const t = speaker(lang, 'common', 'widget');
  const input = chat.getByRole('textbox', { name: t('widget.composer.label') });
  await poll(() => input.getAttribute('placeholder')).toBe(t('widget.composer.placeholder'));
  await poll(() => chat.locator('.chat-subtitle').textContent()).toBe(t('widget.status.away'));
  expect(await chat.locator('.chat-welcome-title').textContent()).toBe(t('widget.welcome.title'));
  expect(await chat.locator('.chat-footer').textContent()).toBe(t('widget.poweredBy'));

  await input.fill('Hello, do you ship to Cairo?');
  await input.press('Enter');
  const mine = chat.locator('.msg-mine').last();
  await poll(() => mine.getAttribute('data-status')).toBe('sent');
  expect(await mine.locator('.msg-status').textContent()).toBe(` · ${t('common.message.sent')}`);
  // The queue position is a number of the locale, in a sentence of the locale.
  await poll(() => chat.locator('.chat-subtitle').textContent()).toBe(t('widget.queue.placeAway', { position: 1 }));
  await poll(() => chat.locator('.chat-note').textContent()).toBe(t('widget.note.away'));
  const time = mine.locator('time');
  expect(await time.textContent()).toBe(await browserClock(page, (await time.getAttribute('datetime'))!, lang));
  await chat.getByRole('button', { name: t('widget.profile.ask') }).waitFor();

  const agent = await app.agent('websocket', `ada-${lang}-${Math.random().toString(36).slice(2, 6)}@example.com`, { name: 'Ada' });
  const { conversations } = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
  const conversationId = conversations[0].id;
  const { conversation } = await ok(agent.socket, 'conversation:claim', { conversationId });
  await poll(() => chat.locator('.msg-system').allTextContents()).toContain(t('widget.system.joined', { name: 'Ada' }));
  await poll(() => chat.locator('.chat-subtitle').textContent()).toBe(t('widget.status.agentOnline'));
  await ok(agent.socket, 'message:send', { conversationId, clientId: 'reply-1', body: 'Yes, we deliver to Cairo in 3 days.' });
  await poll(() => chat.locator('.msg-theirs').count()).toBe(1);
  agent.socket.emit('read', { conversationId, seq: conversation.lastSeq });
  await poll(() => mine.getAttribute('data-status')).toBe('seen');
  expect(await mine.locator('.msg-status').textContent()).toBe(` · ${t('common.message.seen')}`);
  return t;
}

/** Arabic mirrors: own bubble on the left of the transcript, the agent's on the right, the send button left of the box. */
async function expectMirrored(chat: FrameLocator | Page) {
  expect(await chat.locator('html').getAttribute('dir')).toBe('rtl');
  const list = await box(chat.locator('.msg-list'));
  const mine = await box(chat.locator('.msg-mine .msg-bubble').last());
  const theirs = await box(chat.locator('.msg-theirs .msg-bubble').last());
  expect(mine.x - list.x, 'own bubble hugs the left').toBeLessThan(40);
  expect(list.x + list.width - (theirs.x + theirs.width), "agent's bubble hugs the right").toBeLessThan(40);
  expect(mine.x).toBeLessThan(theirs.x);
  const send = await box(chat.locator('.composer-send'));
  const input = await box(chat.locator('.composer-input'));
  expect(send.x + send.width).toBeLessThanOrEqual(input.x + 1);
  // The header mirrors too: the avatar at the right, the close button (panel only) at the left.
  const avatar = await box(chat.locator('.chat-avatar'));
  const title = await box(chat.locator('.chat-title'));
  expect(avatar.x).toBeGreaterThan(title.x);
}

describe.each([1280, 375])('[I18N-WIDGET] the visitor chat in the browser\'s language at %i px', (width) => {
  it.each(['zh-CN', 'ar', 'es'])('[I18N-WIDGET1] the widget on the demo page speaks %s: launcher, panel, statuses; Arabic on the left and mirrored', { timeout: 90_000 }, async (lang) => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width, height: 800 }, locale: lang });
    try {
      const page = await context.newPage();
      const errors = watch(page);
      await page.goto(app.url);
      const loader = speaker(lang, 'loader');
      const launcher = page.locator('parley-widget').getByRole('button', { name: loader('loader.open') });
      await launcher.click();
      const chat = widgetFrame(page);
      const t = await converse(page, chat, app, lang);
      expect(await chat.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.locator('parley-widget iframe').getAttribute('title')).toBe(loader('loader.frameTitle'));
      // (On a phone the open panel covers the launcher: its label, not its visibility.)
      await poll(() => page.locator('parley-widget .launcher').getAttribute('aria-label')).toBe(loader('loader.close'));
      expect(await chat.getByRole('button', { name: t('widget.close') }).isVisible()).toBe(true);

      const text = await chat.locator('body').innerText();
      expect(englishLeftIn(text, lang), 'English left in the panel').toEqual([]);

      if (lang === 'ar') {
        await expectMirrored(chat);
        const panel = await box(page.locator('parley-widget .panel'));
        if (width > 480) {
          const launcherBox = await box(page.locator('parley-widget .launcher'));
          expect(launcherBox.x + launcherBox.width, 'launcher on the left').toBeLessThan(width / 2);
          expect(panel.x + panel.width, 'panel on the left').toBeLessThan(width / 2);
        } else {
          expect(panel.x, 'a phone: the panel fills the screen').toBe(0);
        }
      }
      await screenshot(page, `widget-${lang}-${width}`);

      // Closed, with a new reply: the unread label is a plural of the language.
      await chat.getByRole('button', { name: t('widget.close') }).click();
      await page.locator('parley-widget').getByRole('button', { name: loader('loader.open') }).waitFor();
      expect(errors.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each(['zh-CN', 'ar', 'es'])('[I18N-WIDGET2] the full-page /chat speaks %s, and Arabic mirrors', { timeout: 90_000 }, async (lang) => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width, height: 800 }, locale: lang });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      const t = await converse(page, page, app, lang);
      expect(await page.title()).toBe(t('widget.pageTitle'));
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
      expect(englishLeftIn(await page.locator('body').innerText(), lang), 'English left on the page').toEqual([]);
      if (lang === 'ar') await expectMirrored(page);
      await screenshot(page, `chat-${lang}-${width}`);
    } finally {
      await context.close();
    }
  });
});

describe('[I18N-WIDGET] who chooses the language', () => {
  it('[I18N-WIDGET3] data-lang on the script tag beats the browser locale, for the loader before the frame loads and for the chat', { timeout: 60_000 }, async () => {
    host = await startHostSite();
    host.widgetLang = 'es';
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url } });
    host.widgetSrc = `${app.url}/widget.js`;
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(host.url);
      const es = speaker('es', 'loader', 'common', 'widget');
      const launcher = page.locator('parley-widget .launcher');
      // Before any frame exists: the bundled Spanish words.
      expect(await page.locator('parley-widget iframe').count()).toBe(0);
      expect(await launcher.getAttribute('aria-label')).toBe(es('loader.open'));
      await launcher.click();
      const chat = widgetFrame(page);
      await chat.getByRole('textbox', { name: es('widget.composer.label') }).waitFor();
      expect(new URL((await page.locator('parley-widget iframe').getAttribute('src'))!).searchParams.get('lang')).toBe('es');
      expect(await chat.locator('html').getAttribute('lang')).toBe('es');
      expect(await chat.locator('.chat-title').textContent()).toBe(es('widget.heading'));
      expect(await launcher.getAttribute('aria-label')).toBe(es('loader.close'));
    } finally {
      await context.close();
    }
  });

  it('[I18N-WIDGET4] WIDGET_LANGUAGE=ar: the chat is Arabic in an English browser, and the loader follows it to Arabic and to the left', { timeout: 60_000 }, async () => {
    const app = await startApp({ env: { WIDGET_LANGUAGE: 'ar' } });
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      const launcher = page.locator('parley-widget .launcher');
      // The loader starts with the browser's language; once the chat reports Arabic, it speaks Arabic and moves left.
      expect(await launcher.getAttribute('aria-label')).toBe('Open chat');
      await launcher.hover();
      const ar = speaker('ar', 'loader', 'common', 'widget');
      await poll(() => launcher.getAttribute('aria-label')).toBe(ar('loader.open'));
      expect((await box(launcher)).x).toBeLessThan(640);
      await launcher.click();
      const chat = widgetFrame(page);
      await chat.getByRole('textbox', { name: ar('widget.composer.label') }).waitFor();
      expect(await chat.locator('html').getAttribute('dir')).toBe('rtl');
      await screenshot(page, 'widget-env-ar-1280');
    } finally {
      await context.close();
    }
  });

  it('[I18N-WIDGET5] the unread badge and its label count in the language (Russian plural forms)', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'ru' });
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      const ru = speaker('ru', 'loader', 'common', 'widget');
      const launcher = page.locator('parley-widget .launcher');
      await launcher.click();
      const chat = widgetFrame(page);
      const input = chat.getByRole('textbox', { name: ru('widget.composer.label') });
      await input.fill('Здравствуйте');
      await input.press('Enter');
      await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      await chat.getByRole('button', { name: ru('widget.close') }).click();
      await poll(() => launcher.getAttribute('aria-label')).toBe(ru('loader.open'));

      const agent = await app.agent('websocket', 'ada-ru@example.com', { name: 'Ада' });
      const { conversations } = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
      const conversationId = conversations[0].id;
      await ok(agent.socket, 'conversation:claim', { conversationId });
      for (const n of [1, 2]) await ok(agent.socket, 'message:send', { conversationId, clientId: `r${n}`, body: `Ответ ${n}` });
      await poll(() => page.locator('parley-widget .badge').textContent()).toBe('2');
      // 2 → "few": "2 непрочитанных сообщения".
      expect(await launcher.getAttribute('aria-label')).toBe(ru('loader.openUnread', { count: 2 }));
      expect(ru('loader.openUnread', { count: 2 })).toContain('2 непрочитанных сообщения');
    } finally {
      await context.close();
    }
  });
});

describe('[I18N-LOGIN] the sign-in page in the browser\'s language', () => {
  it('[I18N-LOGIN1] German from the browser locale: labels, button, and the wrong-password error', { timeout: 60_000 }, async () => {
    const app = await startApp();
    await app.app.accounts.createAgent({ email: 'grete@example.com', name: 'Grete', password: 'richtig-geheim-1', role: 'agent' });
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/login`);
      const de = speaker('de', 'common', 'login');
      expect(await page.locator('html').getAttribute('lang')).toBe('de');
      expect(await page.title()).toBe(de('login.pageTitle'));
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(de('login.heading'));
      await page.getByLabel(de('login.email')).fill('grete@example.com');
      await page.getByLabel(de('login.password'), { exact: true }).fill('falsch');
      await page.getByRole('button', { name: de('login.submit') }).click();
      await poll(() => page.getByRole('alert').textContent()).toBe(de('login.wrongPassword'));
      await screenshot(page, 'login-de-1280');

      // Empty fields: said in German too, without asking the server.
      await page.getByLabel(de('login.password'), { exact: true }).fill('');
      await page.getByRole('button', { name: de('login.submit') }).click();
      await poll(() => page.getByRole('alert').textContent()).toBe(de('login.missing'));

      await page.getByLabel(de('login.password'), { exact: true }).fill('richtig-geheim-1');
      await page.getByRole('button', { name: de('login.submit') }).click();
      await page.waitForURL(`${app.url}/agent`);
    } finally {
      await context.close();
    }
  });
});
