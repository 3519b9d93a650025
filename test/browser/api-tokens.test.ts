// [E2E-TOKEN] API tokens on the dashboard's Settings page in Chromium (1280 and 375 px): an admin
// creates a token (its secret shown once, copied with the button), sees it listed without its
// secret, uses it, and revokes it after a confirmation. Screenshots in test-results/screenshots/.

import { describe, expect, it } from 'vitest';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { axeViolations, DESK, overflowX, PHONE } from '../helpers/layout.ts';
import { api } from '../helpers/api-tokens.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe('[E2E-TOKEN] API tokens on the Settings page', () => {
  it.each([
    ['desk', DESK],
    ['phone', PHONE],
  ] as const)('[E2E-TOKEN1] %s: create (secret once, copied), listed without it, used, revoked after a confirmation', { timeout: 90_000 }, async (size, viewport) => {
    const app = await startApp();
    // bypassCSP: axe (the accessibility check) is injected as an inline script.
    const context = await browser().newContext({ viewport, bypassCSP: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    try {
      const admin = await signIn(context, app, { email: 'root@example.com', name: 'Root Admin', role: 'admin' }, '/admin');
      const watched = watch(admin);
      await admin.goto(`${app.url}/admin#settings`);
      await poll(() => admin.getByRole('heading', { name: 'API tokens' }).isVisible()).toBe(true);
      await poll(() => admin.getByText('No API tokens yet.').isVisible()).toBe(true);

      // Nothing chosen: said next to the fields, nothing created.
      await admin.getByRole('button', { name: 'Create token' }).click();
      await poll(() => admin.locator('#token-name-hint').textContent()).toBe('Enter a name of up to 100 characters.');
      await poll(() => admin.locator('#token-scopes-problem').textContent()).toBe('Choose at least one.');
      expect(await app.store.listApiTokens()).toEqual([]);

      await admin.locator('#token-name').fill('CRM sync');
      await admin.getByRole('checkbox', { name: /Read conversations and messages/ }).check();
      await admin.getByRole('checkbox', { name: /List agents/ }).check();
      // Fixed: the problems are gone.
      await poll(() => admin.locator('#token-name-hint').textContent()).toBe('What will use it, for example “CRM sync”.');
      expect(await admin.locator('#token-scopes-problem').count()).toBe(0);
      await admin.getByRole('button', { name: 'Create token' }).scrollIntoViewIfNeeded();
      await screenshot(admin, `api-tokens-form-${size}`);
      await admin.getByRole('button', { name: 'Create token' }).click();
      const dialog = admin.getByRole('dialog', { name: 'Your new token: CRM sync' });
      await poll(() => dialog.isVisible()).toBe(true);
      const secret = (await admin.locator('#new-token-secret').textContent())!;
      expect(secret).toMatch(/^pky_[A-Za-z0-9_-]{43}$/);
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await poll(() => dialog.getByRole('status').textContent()).toBe('Copied.');
      expect(await admin.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await screenshot(admin, `api-tokens-secret-${size}`);
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await poll(() => dialog.isVisible()).toBe(false);

      // Listed, never with its secret; once used, its last use shows.
      expect((await api(app, secret, '/api/v1/agents')).status).toBe(200);
      await admin.reload();
      const row = admin.getByRole('row', { name: /CRM sync/ });
      await poll(() => row.isVisible()).toBe(true);
      expect(await admin.locator('body').textContent()).not.toContain(secret);
      await poll(() => row.textContent()).toContain(secret.slice(0, 12));
      expect(await row.textContent()).toContain('Read conversations and messages');
      expect(await row.textContent()).toContain('by Root Admin');
      expect(await row.textContent()).not.toContain('Never');
      await row.scrollIntoViewIfNeeded();
      await screenshot(admin, `api-tokens-list-${size}`);
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      expect(await axeViolations(admin)).toEqual([]);

      // Revoke: asked first; Cancel keeps it.
      await admin.getByRole('button', { name: 'Revoke CRM sync' }).click();
      const confirm = admin.getByRole('dialog', { name: 'Revoke CRM sync?' });
      await poll(() => confirm.isVisible()).toBe(true);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect((await app.store.listApiTokens()).length).toBe(1);
      await admin.getByRole('button', { name: 'Revoke CRM sync' }).click();
      await confirm.getByRole('button', { name: 'Revoke' }).click();
      await poll(() => admin.locator('.api-tokens .form-message').textContent()).toBe('CRM sync was revoked.');
      await poll(() => admin.getByText('No API tokens yet.').isVisible()).toBe(true);
      expect((await api(app, secret, '/api/v1/agents')).status).toBe(401);
      expect([...watched.errors, ...watched.dialogs]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
