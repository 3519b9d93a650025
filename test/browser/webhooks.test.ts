// [E2E-HOOK] Webhooks on the dashboard's Settings page in Chromium (1280 and 375 px): an admin adds
// one (the signing secret shown once, copied with the button, and it verifies a real delivery), sees
// the notice when Parley turned it off after failures, reads its delivery log, turns it back on,
// pauses it and deletes it after a confirmation. Screenshots in test-results/screenshots/.

import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { axeViolations, DESK, overflowX, PHONE } from '../helpers/layout.ts';
import { startApp } from '../helpers/start-app.ts';
import { documentedVerifier, startReceiver } from '../helpers/webhook-receiver.ts';

const browser = useBrowser();

describe('[E2E-HOOK] webhooks on the Settings page', () => {
  it.each([
    ['desk', DESK],
    ['phone', PHONE],
  ] as const)('[E2E-HOOK1] %s: add (secret once, copied, verifies a delivery), the turned-off notice, the delivery log, turn on, pause, delete after a confirmation', { timeout: 90_000 }, async (size, viewport) => {
    const receiver = await startReceiver();
    let up = false;
    receiver.answer = () => ({ status: up ? 200 : 500 });
    const app = await startApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '50' }, webhookTiming: { disableAfterMs: 300 } });
    const context = await browser().newContext({ viewport, bypassCSP: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const url = `${receiver.url}/parley/events`;
    try {
      const admin = await signIn(context, app, { email: 'root@example.com', name: 'Root Admin', role: 'admin' }, '/admin');
      const watched = watch(admin);
      await admin.goto(`${app.url}/admin#settings`);
      await poll(() => admin.getByRole('heading', { name: 'Webhooks', exact: true }).isVisible()).toBe(true);
      await poll(() => admin.getByText('No webhooks yet.').isVisible()).toBe(true);

      // Nothing entered: said next to the fields, nothing created.
      await admin.getByRole('button', { name: 'Add webhook' }).click();
      await poll(() => admin.locator('#hook-url-hint').textContent()).toBe('Enter an address starting with https:// or http://.');
      await poll(() => admin.locator('#hook-events-problem').textContent()).toBe('Choose at least one.');
      await admin.locator('#hook-url').fill('ftp://files.example.com/');
      await admin.getByRole('button', { name: 'Add webhook' }).click();
      await poll(() => admin.locator('#hook-url-hint').textContent()).toBe('Enter an address starting with https:// or http://.');
      expect(await app.store.listWebhooks()).toEqual([]);

      await admin.locator('#hook-url').fill(url);
      await admin.getByRole('checkbox', { name: /A conversation starts/ }).check();
      await admin.getByRole('checkbox', { name: /A message is sent/ }).check();
      await poll(() => admin.locator('#hook-url-hint').textContent()).toBe('The address on your server that receives the events, starting with https://.');
      await admin.getByRole('button', { name: 'Add webhook' }).scrollIntoViewIfNeeded();
      await screenshot(admin, `webhooks-form-${size}`);
      await admin.getByRole('button', { name: 'Add webhook' }).click();
      const dialog = admin.getByRole('dialog', { name: 'The signing secret of your new webhook' });
      await poll(() => dialog.isVisible()).toBe(true);
      const secret = (await admin.locator('#new-hook-secret').textContent())!;
      expect(secret).toMatch(/^whsec_[\w-]{32}$/);
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await poll(() => dialog.getByRole('status').textContent()).toBe('Copied.');
      expect(await admin.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await screenshot(admin, `webhooks-secret-${size}`);
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await poll(() => dialog.isVisible()).toBe(false);

      // The receiver fails: after the disabling time Parley turns the webhook off, and the page says so.
      const { socket } = await app.visitor('websocket');
      await ok(socket, 'message:send', { clientId: 'v1', body: 'hello' });
      const first = await receiver.count(1);
      expect(documentedVerifier()(first[0].raw, first[0].headers['x-parley-signature'] as string, secret)).toBe(true);
      const [hook] = await app.store.listWebhooks();
      await poll(async () => (await app.store.getWebhook(hook.id))!.disabledReason, { timeout: 10_000 }).toBe('failures');
      await admin.reload();
      const notice = admin.getByTestId('hook-disabled-notice');
      await poll(() => notice.isVisible()).toBe(true);
      expect(await notice.textContent()).toContain(`Parley turned off ${url} on`);
      const row = admin.getByTestId('hook-row');
      expect(await row.textContent()).toContain('Turned off');
      expect(await row.textContent()).toContain('A conversation starts');
      expect(await admin.locator('body').textContent()).not.toContain(secret);
      await notice.scrollIntoViewIfNeeded();
      await screenshot(admin, `webhooks-disabled-${size}`);
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      expect(await axeViolations(admin)).toEqual([]);

      // The delivery log: the failed attempts, with the receiver's status.
      await admin.getByRole('button', { name: `Deliveries to ${url}` }).click();
      const log = admin.getByRole('dialog', { name: `Deliveries to ${url}` });
      await poll(() => log.getByTestId('hook-log').isVisible()).toBe(true);
      expect(await log.textContent()).toContain('HTTP 500: ok');
      expect(await log.textContent()).toContain('Waiting until the webhook is turned on');
      expect(await log.textContent()).toContain('conversation.created');
      await screenshot(admin, `webhooks-log-${size}`);
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      await log.getByRole('button', { name: 'Close' }).click();
      await poll(() => log.isVisible()).toBe(false);

      // Fixed and turned back on: the waiting events are delivered.
      up = true;
      await admin.getByRole('button', { name: `Turn on ${url}` }).click();
      await poll(() => notice.count()).toBe(0);
      await poll(() => row.textContent()).toContain('On');
      await receiver.next((h) => h.answered === 200 && h.body.type === 'conversation.created');
      await poll(async () => (await app.store.countPendingWebhookDeliveries()), { timeout: 10_000 }).toBe(0);
      await admin.getByRole('button', { name: `Deliveries to ${url}` }).click();
      await poll(() => log.getByTestId('hook-log').textContent()).toContain('Delivered');
      await log.getByRole('button', { name: 'Close' }).click();

      await admin.getByRole('button', { name: `Pause ${url}` }).click();
      await poll(() => row.textContent()).toContain('Paused');
      expect((await app.store.getWebhook(hook.id))!.disabledReason).toBe('admin');

      // Delete: asked first; Cancel keeps it.
      await admin.getByRole('button', { name: `Delete ${url}` }).click();
      const confirm = admin.getByRole('dialog', { name: 'Delete this webhook?' });
      await poll(() => confirm.isVisible()).toBe(true);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect(await app.store.listWebhooks()).toHaveLength(1);
      await admin.getByRole('button', { name: `Delete ${url}` }).click();
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await poll(() => admin.locator('.webhooks .form-message').textContent()).toBe('The webhook was deleted.');
      await poll(() => admin.getByText('No webhooks yet.').isVisible()).toBe(true);
      expect(await app.store.listWebhooks()).toEqual([]);
      expect([...watched.errors, ...watched.dialogs]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
