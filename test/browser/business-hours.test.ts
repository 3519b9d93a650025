// [E2E-HOURS] Business hours in Chromium: outside them the chat says so, with the next opening in
// the visitor's own time; with email on (SMTP_URL) it asks for the visitor's email and stores it on
// their profile, without it it promises no email; the admin edits the schedule on the Settings page
// (at 1280 and 375 px). Screenshots in test-results/screenshots/.

import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../server/protocol/business-hours.ts';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { DESK, overflowX, PHONE } from '../helpers/layout.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const browser = useBrowser();

const NINE_TO_FIVE = [{ from: '09:00', to: '17:00' }];
const OFFICE: BusinessHours = {
  timeZone: 'Europe/Berlin',
  weekly: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE, sat: [], sun: [] },
  holidays: [],
};
const SMTP = { SMTP_URL: 'smtp://mail.invalid:2525' };
/** Tuesday 2026-01-13, 08:00 in Berlin; it opens at 09:00 (08:00Z), 03:00 in New York. The clock runs at real speed. */
const BEFORE_OPENING = (() => {
  const offset = Date.parse('2026-01-13T07:00:00Z') - Date.now();
  return { now: () => Date.now() + offset };
})();

async function adminCookie(app: TestApp): Promise<string> {
  return (await app.login('root@example.com', { role: 'admin', name: 'Root Admin' })).cookie;
}

async function setHours(app: TestApp, hours: BusinessHours | null): Promise<void> {
  const res = await app.http('/api/settings', { method: 'PUT', cookie: await adminCookie(app), json: { businessHours: hours } });
  expect(res.status).toBe(200);
}

async function cookieOf(context: BrowserContext): Promise<string> {
  const sid = (await context.cookies()).find((c) => c.name === 'parley.sid');
  if (!sid) throw new Error('no session cookie');
  return `parley.sid=${sid.value}`;
}

describe('[E2E-HOURS] the widget outside business hours', () => {
  for (const viewport of [DESK, PHONE]) {
    it(`[E2E-HOURS1] with email on (${viewport.width} px): says it is closed and when it opens in the visitor's time, asks for the email before and after the first message, stores it, then says where the reply goes and asks no more`, { timeout: 90_000 }, async () => {
      const app = await startApp({ clock: BEFORE_OPENING, env: SMTP });
      await setHours(app, OFFICE);
      const context = await browser().newContext({ viewport, timezoneId: 'America/New_York', locale: 'en-US' });
      try {
        const page = await context.newPage();
        const watched = watch(page);
        await page.goto(`${app.url}/chat`);
        const chat = page.locator('.chat');
        await poll(() => chat.locator('.chat-subtitle').textContent()).toBe('Closed right now');
        await poll(() => chat.locator('.chat-welcome p').nth(1).textContent()).toBe('We’re away — leave your email and we’ll reply.');
        // 09:00 in Berlin is 03:00 in New York, a Tuesday.
        const opens = (await chat.locator('.chat-welcome-hours').textContent()) ?? '';
        expect(opens).toMatch(/^We open again Tuesday, January 13.*3:00\s?AM\.$/);
        const field = page.getByLabel('Your email, for our reply');
        expect(await field.isVisible()).toBe(true);

        // A wrong address is refused in place; nothing is stored.
        await field.fill('not an email');
        await chat.locator('.email-card').getByRole('button', { name: 'Save' }).click();
        await poll(() => chat.locator('.email-card .form-error').textContent()).toBe('That email address does not look right.');

        // The first message: the conversation opens and waits; the field is still there.
        await page.getByRole('textbox', { name: 'Message' }).fill('Hello, anyone?');
        await page.getByRole('textbox', { name: 'Message' }).press('Enter');
        await poll(() => app.store.listConversations({ status: 'queued' }).then((l) => l.length)).toBe(1);
        const [conversation] = await app.store.listConversations({ status: 'queued' });
        expect((await app.store.getVisitor(conversation.visitorId))!.email).toBeNull();
        expect(await field.isVisible()).toBe(true);
        // Not both asks at once: the name card waits.
        expect(await chat.locator('.profile-card').isHidden()).toBe(true);
        await screenshot(page, `hours-widget-ask-${viewport.width}`);

        await field.fill('dana@example.com');
        await chat.locator('.email-card').getByRole('button', { name: 'Save' }).click();
        await poll(() => chat.locator('.email-given').textContent()).toBe('We’ll reply to dana@example.com.');
        expect(await field.isHidden()).toBe(true);
        await poll(() => app.store.getVisitor(conversation.visitorId).then((v) => v?.email)).toBe('dana@example.com');
        await screenshot(page, `hours-widget-given-${viewport.width}`);
        expect(await overflowX(page)).toBeLessThanOrEqual(0);

        // A reload: the visitor has an email; not asked again.
        await page.reload();
        await poll(() => page.locator('.email-given').textContent()).toBe('We’ll reply to dana@example.com.');
        expect(await page.getByLabel('Your email, for our reply').isHidden()).toBe(true);
        expect(watched.errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('[E2E-HOURS2] without SMTP_URL: closed, a message is still taken, and no email is asked for or promised', { timeout: 60_000 }, async () => {
    const app = await startApp({ clock: BEFORE_OPENING });
    await setHours(app, OFFICE);
    const context = await browser().newContext({ viewport: DESK, timezoneId: 'Europe/Berlin', locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      const chat = page.locator('.chat');
      await poll(() => chat.locator('.chat-subtitle').textContent()).toBe('Closed right now');
      await poll(() => chat.locator('.chat-welcome p').nth(1).textContent()).toBe('Ask us anything — leave a message and we will answer here as soon as someone is back.');
      expect(await chat.locator('.chat-welcome-hours').textContent()).toMatch(/^We open again Tuesday, January 13.*9:00\s?AM\.$/);
      expect(await chat.locator('.email-card').count()).toBe(0);
      await page.getByRole('textbox', { name: 'Message' }).fill('Hello?');
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      await poll(() => app.store.listConversations({ status: 'queued' }).then((l) => l.length)).toBe(1);
      await poll(() => chat.locator('.chat-note').textContent()).toContain('Nobody is available right now.');
      const shown = (await chat.innerText()).toLowerCase();
      expect(shown).not.toContain('email');
      expect(shown).not.toContain('reply to');
      expect(await chat.locator('.email-card').count()).toBe(0);
      await screenshot(page, 'hours-widget-no-email');
    } finally {
      await context.close();
    }
  });
});

describe('[E2E-HOURS] the business-hours editor', () => {
  for (const viewport of [DESK, PHONE]) {
    it(`[E2E-HOURS3] (${viewport.width} px) the admin turns business hours on in the browser's zone, edits a day, adds a holiday; a wrong interval is shown and not saved; the saved schedule is the team's`, { timeout: 90_000 }, async () => {
      const app = await startApp();
      const context = await browser().newContext({ viewport, timezoneId: 'Europe/Berlin', locale: 'en-US' });
      try {
        const admin = await signIn(context, app, { email: 'root@example.com', name: 'Root Admin', role: 'admin' }, '/admin');
        const watched = watch(admin);
        // A slow first answer (as on a busy server): the page must not take edits it would then overwrite.
        let first = true;
        await admin.route('**/api/settings', async (route) => {
          if (first && route.request().method() === 'GET') {
            first = false;
            await new Promise((resolve) => setTimeout(resolve, 1500));
          }
          await route.continue();
        });
        await admin.goto(`${app.url}/admin#settings`);
        await poll(() => admin.getByRole('heading', { name: 'Business hours' }).isVisible()).toBe(true);
        expect(await admin.getByLabel('Use business hours').isChecked()).toBe(false);
        await admin.getByLabel('Use business hours').check();
        await poll(() => admin.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
        expect(await admin.getByLabel('Monday: opens at').inputValue()).toBe('09:00');

        // Saturday morning; Friday closes at midnight (00:00 = the end of the day).
        await admin.getByRole('button', { name: 'Add hours on Saturday' }).click();
        await admin.getByLabel('Saturday: opens at').fill('10:00');
        await admin.getByLabel('Saturday: closes at').fill('09:00');
        await poll(() => admin.locator('[data-day="sat"] .field-problem').textContent()).toBe('Each end must be after its start.');
        expect(await admin.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
        await admin.getByLabel('Saturday: closes at').fill('13:00');
        await admin.getByLabel('Friday: closes at').fill('00:00');
        await admin.getByRole('button', { name: 'Remove these hours on Wednesday' }).click();
        await admin.getByLabel('Holiday date').fill('2026-12-25');
        await admin.getByRole('button', { name: 'Add holiday' }).click();
        await poll(() => admin.locator('.hours-holidays li').count()).toBe(1);
        await admin.getByLabel('Time zone').selectOption('America/New_York');
        expect(await overflowX(admin)).toBeLessThanOrEqual(0);
        await screenshot(admin, `hours-settings-${viewport.width}`);

        await admin.getByRole('button', { name: 'Save settings' }).click();
        await poll(() => admin.locator('.settings .form-message').textContent()).toBe('Saved.');
        const { settings } = (await (await app.http('/api/settings', { cookie: await cookieOf(context) })).json()) as { settings: { businessHours: BusinessHours } };
        expect(settings.businessHours).toEqual({
          timeZone: 'America/New_York',
          weekly: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: [], thu: NINE_TO_FIVE, fri: [{ from: '09:00', to: '24:00' }], sat: [{ from: '10:00', to: '13:00' }], sun: [] },
          holidays: ['2026-12-25'],
        });
        // Off again: always open.
        await admin.getByLabel('Use business hours').uncheck();
        await admin.getByRole('button', { name: 'Save settings' }).click();
        await poll(async () => ((await (await app.http('/api/settings', { cookie: await cookieOf(context) })).json()) as { settings: { businessHours: unknown } }).settings.businessHours).toBeNull();
        expect(watched.errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
