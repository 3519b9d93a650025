// Page checks for the browser tests that people notice: sideways scrolling,
// controls pushed off screen, overlapping boxes, fields small enough to make
// iOS zoom, and axe-core's accessibility audit (injected into the page).

import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Widths of a desk, a tablet and a phone. */
export const DESK = { width: 1280, height: 800 };
export const TABLET = { width: 768, height: 1024 };
export const PHONE = { width: 375, height: 740 };

/** The page is no wider than the window (nothing to scroll sideways to). */
export async function overflowX(page: Page): Promise<number> {
  return page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth') as Promise<number>;
}

/** The element is shown entirely inside the window horizontally. */
export async function onScreen(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const width = (await locator.page().evaluate('window.innerWidth')) as number;
  return box !== null && box.x >= 0 && box.x + box.width <= width + 0.5 && box.width > 0;
}

export async function overlap(a: Locator, b: Locator): Promise<boolean> {
  const [x, y] = await Promise.all([a.boundingBox(), b.boundingBox()]);
  if (!x || !y) return false;
  return x.x < y.x + y.width && y.x < x.x + x.width && x.y < y.y + y.height && y.y < x.y + x.height;
}

/** Visible text fields and selects under 16 px (iOS zooms into those on focus). */
export async function smallFields(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.getClientRects().length && el.type !== 'radio' && el.type !== 'checkbox')
    .filter((el) => parseFloat(getComputedStyle(el).fontSize) < 16)
    .map((el) => (el.id || el.className || el.tagName) + ' ' + getComputedStyle(el).fontSize)`) as Promise<string[]>;
}

/** The placeholder of a text field fits in it (not cut off). */
export async function placeholderFits(field: Locator): Promise<boolean> {
  const id = `fit-${Math.random().toString(36).slice(2)}`;
  await field.evaluate((el: { dataset: Record<string, string> }, value: string) => {
    el.dataset.fit = value;
  }, id);
  return field.page().evaluate(`(() => {
    const el = document.querySelector('[data-fit="${id}"]');
    const style = getComputedStyle(el);
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return ctx.measureText(el.placeholder).width <= room;
  })()`) as Promise<boolean>;
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n')[1]).join(' | ')))`) as Promise<string[]>;
}
