// [E2E-REPORTS] The dashboard's Reports page on a hand-made day (test/reports/data-set.ts): its
// figures, three charts and the per-agent table at 1280 px and 375 px, one agent's figures, the
// CSV download, and the page right to left in Arabic. Screenshots in test-results/screenshots/.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { poll, SCREENSHOTS, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { axeViolations } from '../helpers/layout.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { DAY, REPORT_NOW, writeDataSet } from '../reports/data-set.ts';

const browser = useBrowser();

async function seededApp() {
  let now = REPORT_NOW;
  const clock = { now: () => now, set: (v: number) => void (now = v) };
  const app = await startApp({ clock });
  const people = await writeDataSet(app.store, clock);
  return { app, ...people };
}

/** A context whose pages believe it is the report's "now" (the presets count back from it), in UTC. */
async function context(width: number, height: number): Promise<BrowserContext> {
  // bypassCSP: axe is injected as an inline script, which the pages' CSP (script-src 'self') rightly refuses.
  const c = await browser().newContext({ viewport: { width, height }, timezoneId: 'UTC', acceptDownloads: true, bypassCSP: true });
  await c.clock.setFixedTime(new Date(REPORT_NOW));
  return c;
}

async function openReports(c: BrowserContext, app: TestApp): Promise<Page> {
  const page = await signIn(c, app, { email: 'boss@example.com', name: 'Barbara', role: 'admin' }, '/admin');
  await page.getByRole('link', { name: 'Reports' }).click();
  await poll(() => page.locator('h1').first().textContent()).toBe('Reports');
  return page;
}

const stat = (page: Page, name: string) => page.locator(`[data-stat="${name}"] .stat-value`).textContent();

async function fullScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

describe('[E2E-REPORTS] reports page', () => {
  it('[E2E-REPORTS1] shows the figures, the charts and the table at 1280 px, per agent, and downloads the table as CSV', { timeout: 90_000 }, async () => {
    const { app, alice } = await seededApp();
    const c = await context(1280, 900);
    try {
      const page = await openReports(c, app);
      const seen = watch(page);
      expect(new URL(page.url()).hash).toBe('#reports');
      await poll(() => page.getByRole('link', { name: 'Reports' }).getAttribute('aria-current')).toBe('page');
      // Last 7 days (the default), in UTC: 23 Feb – 2 Mar; c10 opened on 1 March counts too.
      await poll(() => stat(page, 'opened')).toBe('10');
      expect(await stat(page, 'claimed')).toBe('8');
      expect(await stat(page, 'closed')).toBe('8');
      expect(await stat(page, 'missed')).toBe('3');
      expect(await stat(page, 'queueWait')).toBe('1 min');
      expect(await page.locator('[data-stat="queueWait"] .stat-sub').textContent()).toBe('90% within 15 min');
      expect(await page.locator('.reports-zone').textContent()).toBe('Times are in UTC.');

      const volume = page.locator('svg[data-chart="volume"]');
      expect(await volume.getAttribute('role')).toBe('img');
      expect(await volume.locator('title').first().textContent()).toBe('Conversations over time');
      expect(await volume.locator('rect.chart-bar').count()).toBe(7);
      expect(await volume.locator('polyline.chart-line').count()).toBe(1);
      expect(await page.locator('svg[data-chart="waits"] rect.chart-bar').count()).toBe(8);
      const heat = page.locator('svg[data-chart="heatmap"] rect.heat-cell');
      expect(await heat.count()).toBe(7 * 24);
      // Monday (row 0) 09:00 had two openings; Sunday 23:00 (c10) one.
      expect(await heat.nth(9).getAttribute('data-count')).toBe('2');
      expect(await heat.nth(6 * 24 + 23).getAttribute('data-count')).toBe('1');
      expect(await heat.nth(9).locator('title').textContent()).toBe('Mon, 9 AM: 2 conversations');

      const row = page.locator(`tr[data-agent="${alice.id}"]`);
      expect(await row.locator('th').textContent()).toBe('Alice');
      expect(await row.locator('td').allTextContents()).toEqual(['5', '5', '5', '1', '5 min', '15 min', '1 min', '10 min', '20 min', '2.6']);
      await page.screenshot({ path: join(SCREENSHOTS, 'reports-1280.png'), animations: 'disabled' });
      await fullScreenshot(page, 'reports-1280-full');

      // The table alternative of a chart holds the same figures.
      await page.locator('.chart-table summary').first().click();
      await poll(() => page.locator('.chart-table').first().locator('tbody tr').count()).toBe(7);
      // No serious or critical accessibility problem, a chart's table open.
      expect(await axeViolations(page)).toEqual([]);

      // Today: hour by hour.
      await page.getByLabel('Range').selectOption('today');
      await poll(() => stat(page, 'opened')).toBe('9');
      await poll(() => volume.locator('rect.chart-bar').count()).toBe(24);

      // One agent.
      await page.getByRole('combobox', { name: 'Agent', exact: true }).selectOption(alice.id);
      await poll(() => stat(page, 'opened')).toBe('4');
      expect(await stat(page, 'claimed')).toBe('5');
      await poll(() => page.locator('.reports-table tbody tr').count()).toBe(1);
      await page.getByRole('combobox', { name: 'Agent', exact: true }).selectOption('');
      await poll(() => page.locator('.reports-table tbody tr').count()).toBe(4);

      // Custom dates; a range that ends before it starts is refused in words.
      await page.getByLabel('Range').selectOption('custom');
      await page.getByLabel('From', { exact: true }).fill('2026-03-02');
      await page.getByLabel('To', { exact: true }).fill('2026-03-01');
      await page.getByRole('button', { name: 'Show' }).click();
      await poll(() => page.getByRole('alert').textContent()).toContain('That range cannot be shown');
      await page.getByLabel('To', { exact: true }).fill(DAY);
      await page.getByRole('button', { name: 'Show' }).click();
      await poll(() => page.getByRole('alert').count()).toBe(0);
      await poll(() => stat(page, 'opened')).toBe('9');

      // The CSV: the table as a file, a formula-like name neutralised.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
      expect(download.suggestedFilename()).toBe(`parley-report-${DAY}-to-${DAY}.csv`);
      const csv = readFileSync((await download.path())!, 'utf8');
      const lines = csv.replace(/^\ufeff/, '').split('\r\n');
      expect(lines[0]).toMatch(/^agent,agent_id,opened,claimed,closed,missed,/);
      expect(lines).toContain(`Alice,${alice.id},4,5,5,1,300,900,60,600,1200,2400,2.6`);
      expect(lines.some((l) => l.startsWith("'=Bob,"))).toBe(true);
      expect(lines).toContain('(all),,9,8,8,3,60,900,60,600,1200,2400,2.3');
      expect([...seen.errors, ...seen.dialogs]).toEqual([]);
    } finally {
      await c.close();
      await app.close();
    }
  });

  it('[E2E-REPORTS2] at 375 px the charts fit the screen; in Arabic the page runs right to left with its numbers and dates localized', { timeout: 90_000 }, async () => {
    const { app } = await seededApp();
    const c = await context(375, 812);
    try {
      const page = await openReports(c, app);
      await poll(() => stat(page, 'opened')).toBe('10');
      for (const chart of ['volume', 'waits', 'heatmap']) {
        const box = (await page.locator(`svg[data-chart="${chart}"]`).boundingBox())!;
        expect(box.width).toBeGreaterThan(250);
        expect(box.x + box.width).toBeLessThanOrEqual(375);
      }
      expect(await axeViolations(page)).toEqual([]);
      // Nothing wider than the screen.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      await page.screenshot({ path: join(SCREENSHOTS, 'reports-375.png'), animations: 'disabled' });
      await page.evaluate("document.getElementById('volume-heading').scrollIntoView()");
      await page.screenshot({ path: join(SCREENSHOTS, 'reports-375-charts.png'), animations: 'disabled' });
      await page.evaluate("document.getElementById('waits-heading').scrollIntoView()");
      await page.screenshot({ path: join(SCREENSHOTS, 'reports-375-heatmap.png'), animations: 'disabled' });
      await fullScreenshot(page, 'reports-375-full');

      const changed = await page.request.patch(`${app.url}/api/me`, { data: { language: 'ar' } });
      expect(changed.status()).toBe(200);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.reload();
      await poll(() => page.locator('h1').first().textContent()).toBe('التقارير');
      expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
      // Numbers as Intl writes them for Arabic in this browser.
      await poll(() => stat(page, 'opened')).toBe(await page.evaluate("new Intl.NumberFormat('ar').format(10)"));
      expect(await page.locator('svg[data-chart="volume"] title').first().textContent()).toBe('المحادثات عبر الزمن');
      expect(await axeViolations(page)).toEqual([]);
      await fullScreenshot(page, 'reports-ar-1280-full');
    } finally {
      await c.close();
      await app.close();
    }
  });
});
