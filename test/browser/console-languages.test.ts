// [I18N-CONSOLE] The console and the dashboard in the agent's own language (PATCH /api/me, or the
// header's picker), whatever the browser asks for (en-US here): texts from the catalogues, real
// plurals, times in the language's format, Arabic mirrored. Screenshots in test-results/screenshots/.

import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../../i18n/format.ts';
import { defaultNameTag } from '../../server/protocol/names.ts';
import { ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { waitingVisitor } from '../helpers/console.ts';
import { axeViolations, DESK, overflowX, PHONE } from '../helpers/layout.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const ANN = { email: 'ann@example.com', name: 'Ann Agent' };
const ADA = { email: 'ada@example.com', name: 'Ada Admin', role: 'admin' as const };

/** One language's catalogue files, as shipped. */
function catalogue(lang: string, ...surfaces: string[]): Record<string, string> {
  return Object.assign({}, ...surfaces.map((s) => JSON.parse(readFileSync(new URL(`../../i18n/${lang}/${s}.json`, import.meta.url), 'utf8'))));
}
const de = catalogue('de', 'common', 'console', 'admin');
const ar = catalogue('ar', 'common', 'console');
const plural = (lang: string, message: string, count: number) => createFormatter(lang).format(message, { count });
/** A visitor's default name ("Visitor 1a2b", as the server sends it) as the catalogue words it. */
const shown = (messages: Record<string, string>, name: string) => {
  const tag = defaultNameTag(name);
  expect(tag, `${name} is a default name`).not.toBeNull();
  return messages['common.visitorDefault'].replace('{tag}', tag!);
};

/** A browser that asks for American English, in UTC (so the test computes the same clock as the page); `axe` to audit it. */
async function open(app: TestApp, viewport: { width: number; height: number }, who = ANN, path = '/agent', axe = false) {
  // bypassCSP only where axe-core is injected (test/helpers/layout.ts): the pages themselves need no inline script.
  const context = await browser().newContext({ viewport, locale: 'en-US', timezoneId: 'UTC', bypassCSP: axe });
  const page = await signIn(context, app, who, path);
  return { context, page };
}

/** The agent sets their language through PATCH /api/me from the page, then reloads it. */
async function setLanguage(page: Page, language: string | null) {
  const status = await page.evaluate(
    async (l) => (await fetch('/api/me', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: l }) })).status,
    language,
  );
  expect(status).toBe(200);
  await page.reload();
}

const htmlLang = (page: Page) => page.evaluate('[document.documentElement.lang, document.documentElement.dir]') as Promise<string[]>;

async function closeAll(context: BrowserContext) {
  await context.close();
}

describe('[I18N-CONSOLE] the console and dashboard in the agent’s language', () => {
  it('[I18N-CONSOLE1] an agent set to German sees the console in German in an en-US browser: heading, queue, waiting conversation, composer, plurals', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const { context, page } = await open(app, DESK);
    const problems = watch(page);
    try {
      await poll(() => page.locator('#queue-heading').textContent()).toContain('Queue');
      await setLanguage(page, 'de');
      expect(await htmlLang(page)).toEqual(['de', 'ltr']);
      await poll(() => page.locator('h1').textContent()).toBe(de['console.heading']);
      expect(await page.title()).toBe(de['console.pageTitle']);
      await poll(() => page.locator('[data-section="queue"] .empty').textContent()).toBe(de['console.queue.empty']);
      expect(await page.locator('#queue-heading').textContent()).toContain(de['console.queue.heading']);
      expect(await page.locator('#mine-heading').textContent()).toContain(de['console.mine.heading']);
      expect(await page.locator('.empty-state .empty-title').textContent()).toBe(de['console.noSelection.title']);
      expect(await page.locator('#agent-language').inputValue()).toBe('de');

      const first = await waitingVisitor(app, 'Wo ist meine Bestellung?');
      const second = await waitingVisitor(app, 'Hallo?');
      await poll(() => page.locator('.queue-item').count()).toBe(2);
      // Two waiting: the plural of the catalogue, worded by German's rules.
      const count = page.locator('#queue-heading .count');
      expect(await count.getAttribute('title')).toBe(plural('de', de['console.queue.waitingCount'], 2));
      expect(await count.getAttribute('title')).toBe('2 Gespräche warten');
      expect(await page.locator('[data-testid="queue-rule"]').textContent()).toBe(de['console.queue.rule']);
      // The server's default name ("Visitor 1a2b") in German.
      const firstName = shown(de, first.visitor.name);
      const secondName = shown(de, second.visitor.name);
      expect(firstName).toMatch(/^Besucher [0-9a-z]{4}$/);
      expect(await page.locator('[data-section="queue"]').textContent()).not.toContain('Visitor ');
      const item = page.locator('.queue-item', { hasText: firstName });
      expect(await item.locator('.item-preview').textContent()).toBe('Wo ist meine Bestellung?');
      expect(await item.locator('.item-wait').textContent()).toMatch(/^(neu|wartet seit .+)$/);
      const claim = item.getByRole('button', { name: de['console.queue.claimLabel'].replace('{name}', firstName) });
      expect(await claim.textContent()).toBe(de['console.queue.claim']);

      // A waiting conversation, opened: its status line, the claim bar.
      await item.locator('.item-main').click();
      await poll(() => page.locator('.claim-bar').textContent()).toContain(de['console.pane.waiting']);
      expect(await page.locator('.pane-status').textContent()).toMatch(/^Wartet in der Warteschlange \(Nr\. 1\) · angefragt /);
      await page.locator('.claim-bar').getByRole('button', { name: de['console.pane.claim'] }).click();
      const reply = page.getByRole('textbox', { name: de['console.composer.label'].replace('{name}', firstName) });
      await poll(() => reply.isEnabled()).toBe(true);
      expect(await reply.getAttribute('placeholder')).toBe(de['console.composer.placeholder']);
      expect(await page.getByRole('button', { name: de['console.composer.sendLabel'] }).isVisible()).toBe(true);
      // One left waiting: the singular.
      await poll(() => count.getAttribute('title')).toBe('1 Gespräch wartet');
      await reply.fill('Einen Moment, ich sehe nach.');
      await reply.press('Enter');
      await poll(() => page.locator('.pane .msg-mine').last().getAttribute('data-status')).toMatch(/sent|seen/);
      expect(await page.locator('.pane .msg-mine .msg-meta').last().textContent()).toMatch(/Gesendet|Gelesen/);
      for (const name of [de['console.pane.release'], de['console.pane.transfer'], de['console.pane.close']]) {
        expect(await page.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
      }
      expect(await page.getByRole('complementary', { name: de['console.context.heading'] }).isVisible()).toBe(true);
      await screenshot(page, 'console-de-1280');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);

      // Unread messages in another own conversation: the plural on the badge and the count in the tab's title.
      const item2 = page.locator('.queue-item', { hasText: secondName });
      await item2.getByRole('button', { name: de['console.queue.claim'] }).click();
      await poll(() => page.locator('.mine-item').count()).toBe(2);
      await page.locator('.mine-item', { hasText: firstName }).locator('.item-main').click();
      await ok(second.socket, 'message:send', { clientId: 'u1', body: 'Noch da?' });
      await ok(second.socket, 'message:send', { clientId: 'u2', body: 'Hallo?' });
      const badge = page.locator('.mine-item', { hasText: secondName }).locator('.unread');
      // Claiming opened (and read) the second conversation; the two sent since are unread.
      await poll(() => badge.getAttribute('aria-label')).toBe(plural('de', de['console.mine.unread'], 2));
      expect(await badge.getAttribute('aria-label')).toBe('2 ungelesene Nachrichten');
      await poll(() => page.title()).toBe(createFormatter('de').format(de['console.titleUnread'], { count: 2 }));
      expect(problems.errors).toEqual([]);
    } finally {
      await closeAll(context);
    }
  });

  it('[I18N-CONSOLE2] the header’s picker saves the language and reloads in it; "Browser default" goes back to the browser’s (phone)', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const { context, page } = await open(app, PHONE);
    try {
      await waitingVisitor(app, 'Hello from a phone');
      const picker = page.getByRole('combobox', { name: 'Language' });
      await poll(() => picker.isVisible()).toBe(true);
      expect(await picker.locator('option').allTextContents()).toEqual(['Browser default', 'English', '简体中文', 'Español', 'Deutsch', 'Français', 'Português (Brasil)', '日本語', 'Русский', 'العربية']);
      await picker.selectOption('de');
      await poll(() => htmlLang(page), { timeout: 15_000 }).toEqual(['de', 'ltr']);
      await poll(() => page.locator('h1').textContent()).toBe(de['console.heading']);
      expect((await app.store.getAgentByEmail(ANN.email))?.language).toBe('de');
      const german = page.getByRole('combobox', { name: de['common.ui.language'] });
      await poll(() => german.inputValue()).toBe('de');
      await poll(() => page.locator('.queue-item').count()).toBe(1);
      await poll(() => page.locator('.queue-item .claim-button').textContent()).toBe(de['console.queue.claim']);
      await screenshot(page, 'console-de-375');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);

      await german.selectOption('');
      await poll(() => htmlLang(page), { timeout: 15_000 }).toEqual(['en', 'ltr']);
      await poll(() => page.locator('h1').textContent()).toBe('Agent console');
      expect((await app.store.getAgentByEmail(ANN.email))?.language).toBeNull();
    } finally {
      await closeAll(context);
    }
  });

  it('[I18N-CONSOLE3] an agent set to Japanese sees times in the Japanese format: the transcript, the details and the dashboard', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const { context, page } = await open(app, DESK, ADA);
    try {
      await setLanguage(page, 'ja');
      expect(await htmlLang(page)).toEqual(['ja', 'ltr']);
      const v = await waitingVisitor(app, 'こんにちは');
      await page.locator('.queue-item .claim-button').click();
      const time = page.locator('.pane .msg time').first();
      await poll(() => time.getAttribute('datetime')).not.toBeNull();
      const at = new Date((await time.getAttribute('datetime'))!);
      const full = { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' } as const;
      const clock = { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' } as const;
      expect(await time.getAttribute('title')).toBe(new Intl.DateTimeFormat('ja', full).format(at));
      expect(await time.getAttribute('title')).not.toBe(new Intl.DateTimeFormat('en-US', full).format(at));
      expect(await time.textContent()).toBe(new Intl.DateTimeFormat('ja', clock).format(at));
      const started = page.locator('.context time').first();
      await poll(() => started.textContent()).toBe(new Intl.DateTimeFormat('ja', full).format(new Date((await started.getAttribute('datetime'))!)));
      await poll(() => page.locator('.pane-status').textContent()).toBe('オンライン');
      expect(v.visitor.name).toBeTruthy();

      // The dashboard follows the same setting: the activity feed's times in Japanese.
      await page.goto(`${app.url}/admin`);
      expect(await htmlLang(page)).toEqual(['ja', 'ltr']);
      await poll(() => page.locator('h1').textContent()).toBe(catalogue('ja', 'admin')['admin.heading']);
      // Connected (the first snapshot is in) before the next agent comes online.
      await poll(() => page.locator('.stat-value').first().textContent()).not.toBe('–');
      const alan = await app.agent('websocket', 'alan@example.com', { name: 'Alan Turing' });
      const entry = page.locator('.feed li', { hasText: 'Alan Turing' }).first();
      await poll(() => entry.textContent()).toContain('エージェント Alan Turing がオンラインになりました');
      const feedTime = entry.locator('time');
      const when = new Date((await feedTime.getAttribute('datetime'))!);
      expect(await feedTime.textContent()).toBe(new Intl.DateTimeFormat('ja', clock).format(when));
      expect(await feedTime.getAttribute('title')).toBe(new Intl.DateTimeFormat('ja', full).format(when));
      expect(await feedTime.getAttribute('title')).not.toBe(new Intl.DateTimeFormat('en-US', full).format(when));
      await poll(() => page.locator(`tr[data-agent="${alan.agent.id}"] .status`).textContent()).toBe('オンライン');
      await screenshot(page, 'dashboard-ja-1280');
    } finally {
      await closeAll(context);
    }
  });

  it('[I18N-CONSOLE4] in Arabic the console is mirrored at 1280 px: the list on the right, the details on the left, own messages on the left', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const { context, page } = await open(app, DESK, ANN, '/agent', true);
    try {
      await setLanguage(page, 'ar');
      expect(await htmlLang(page)).toEqual(['ar', 'rtl']);
      const v = await waitingVisitor(app, 'مرحبًا، أحتاج إلى مساعدة');
      await poll(() => page.locator('.queue-item').count()).toBe(1);
      await page.locator('.queue-item .claim-button').click();
      const reply = page.getByRole('textbox', { name: ar['console.composer.label'].replace('{name}', shown(ar, v.visitor.name)) });
      await poll(() => reply.isEnabled()).toBe(true);
      expect(await reply.getAttribute('placeholder')).toBe(ar['console.composer.placeholder']);
      await reply.fill('أهلًا بك، كيف يمكنني مساعدتك؟');
      await reply.press('Enter');
      await poll(() => page.locator('.pane .msg-mine').count()).toBe(1);

      const [sidebar, main, details] = await Promise.all(['.sidebar', '.main', '.context'].map((s) => page.locator(s).boundingBox()));
      expect(sidebar!.x).toBeGreaterThan(main!.x + main!.width - 1);
      expect(sidebar!.x + sidebar!.width).toBeCloseTo(1280, -1);
      expect(details!.x + details!.width).toBeLessThanOrEqual(main!.x + 1);
      expect(details!.x).toBeCloseTo(0, -1);
      const [mine, theirs] = await Promise.all([page.locator('.pane .msg-mine .msg-bubble').boundingBox(), page.locator('.pane .msg-theirs .msg-bubble').boundingBox()]);
      expect(mine!.x).toBeLessThan(theirs!.x);
      // The header mirrors too: the brand at the right, sign-out at the left.
      const [brand, signOut] = await Promise.all([page.locator('.brand').boundingBox(), page.getByRole('button', { name: ar['common.ui.signOut'] }).boundingBox()]);
      expect(brand!.x).toBeGreaterThan(signOut!.x);
      expect(await page.evaluate("getComputedStyle(document.querySelector('.item-main')).textAlign")).toBe('start');
      await screenshot(page, 'console-ar-1280');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      expect(await axeViolations(page)).toEqual([]);

      await page.setViewportSize(PHONE);
      await poll(() => page.locator('.back-button').isVisible()).toBe(true);
      await screenshot(page, 'console-ar-375');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
    } finally {
      await closeAll(context);
    }
  });

  it('[I18N-CONSOLE5] an admin set to German sees the dashboard in German', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const { context, page } = await open(app, DESK, ADA, '/admin', true);
    try {
      await setLanguage(page, 'de');
      expect(await htmlLang(page)).toEqual(['de', 'ltr']);
      await poll(() => page.locator('h1').textContent()).toBe(de['admin.heading']);
      expect(await page.title()).toBe(de['admin.pageTitle']);
      expect(await page.locator('.stat-label').allTextContents()).toEqual([
        de['admin.stat.agentsOnline'],
        de['admin.stat.visitors'],
        de['admin.stat.queue'],
        de['admin.stat.longestWait'],
      ]);
      await waitingVisitor(app, 'Hallo');
      await poll(() => page.locator('.conversation-cell').first().textContent()).toBe('Wartet · Nr. 1 in der Warteschlange');
      expect(await page.locator('#team-heading').textContent()).toBe(de['admin.team.heading']);
      expect(await page.getByRole('button', { name: de['admin.team.create'] }).isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: de['common.ui.console'] }).isVisible()).toBe(true);
      await page.getByRole('button', { name: de['admin.team.create'] }).click();
      await poll(() => page.locator('.form-message').textContent()).toBe(de['admin.team.checkFields']);
      expect(await page.locator('#new-password-problem').textContent()).toBe(de['admin.team.problem.password']);
      await screenshot(page, 'dashboard-de-1280');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize(PHONE);
      await screenshot(page, 'dashboard-de-375');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
    } finally {
      await closeAll(context);
    }
  });
});
