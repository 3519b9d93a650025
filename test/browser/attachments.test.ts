// [E2E-ATT] Attachments in the browser: an image pasted in the embedded widget appears as a
// thumbnail on both sides, one pasted in the console too; a file with a hostile name renders as
// text (a download link with its name and size); at 1280 px and at 375 px.

import { copyFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { openWidget, poll, screenshot, signIn, startHostSite, type HostSite, useBrowser, watch } from '../helpers/browser.ts';
import { DESK, PHONE, overflowX } from '../helpers/layout.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
let host: HostSite | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

/** A 160×100 PNG (a two-colour gradient): big enough to see in a screenshot. */
function gradientPng(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(data.length + 12);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), data.length + 8);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const f = x / (width - 1);
      for (let c = 0; c < 3; c++) rows[y * (width * 3 + 1) + 1 + x * 3 + c] = Math.round(from[c] + (to[c] - from[c]) * f);
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const SCREENSHOT_PNG = gradientPng(160, 100, [79, 70, 229], [14, 165, 233]).toString('base64');
const DIAGRAM_PNG = gradientPng(160, 100, [22, 163, 74], [250, 204, 21]).toString('base64');
const HOSTILE = '<img src=x onerror="window.__pwned=1">.txt';

/** Pastes an image file into a text box, as a screenshot pasted from the clipboard arrives. */
async function pasteImage(box: Locator, name: string, png: string): Promise<void> {
  await box.evaluate(
    (el, { b64, name }) => {
      // The page's own classes (the tests compile without the DOM library).
      const page = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        ClipboardEvent: new (type: string, init: object) => never;
      };
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new page.DataTransfer();
      data.items.add(new File([bytes], name, { type: 'image/png' }));
      el.dispatchEvent(new page.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { b64: png, name },
  );
}

/** A thumbnail that loaded (the browser decoded the image the server sent). */
async function loadedThumbnails(scope: Page | FrameLocator, side: 'msg-mine' | 'msg-theirs'): Promise<number> {
  return scope.locator(`.${side} img.msg-thumb`).evaluateAll((imgs) => (imgs as unknown as Array<{ complete: boolean; naturalWidth: number }>).filter((i) => i.complete && i.naturalWidth === 160).length);
}

describe('[E2E-ATT] attachments in the widget and the console', () => {
  it('[E2E-ATT1] pasted images become thumbnails on both sides; a hostile file name is text; 1280 and 375 px', { timeout: 90_000 }, async () => {
    host = await startHostSite();
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url, MAX_UPLOAD_BYTES: String(256 * 1024) } });
    host.widgetSrc = `${app.url}/widget.js`;
    const visitorContext = await browser().newContext({ viewport: DESK });
    const agentContext = await browser().newContext({ viewport: DESK });
    try {
      const visitor = await visitorContext.newPage();
      const visitorWatch = watch(visitor);
      await visitor.goto(host.url);
      const chat = await openWidget(visitor);
      const box = chat.getByRole('textbox', { name: 'Message' });
      await box.fill('Here is what I see');
      await box.press('Enter');

      const agent = await signIn(agentContext, app, { email: 'ada@example.com', name: 'Ada Lovelace' });
      const agentWatch = watch(agent);
      const queued = agent.locator('.queue-item').first();
      await poll(() => queued.isVisible()).toBe(true);
      await queued.getByRole('button', { name: /claim/i }).click();
      await poll(() => chat.locator('.chat-title').textContent()).toBe('Ada Lovelace');

      // The visitor pastes a screenshot; the first upload fails (the network drops it): the widget says
      // so and offers a retry, which sends it. A thumbnail in the widget, then in the console.
      let dropNext = true;
      await visitorContext.route('**/api/attachments?as=visitor', (route) => {
        if (!dropNext) return route.continue();
        dropNext = false;
        return route.abort('connectionreset');
      });
      await pasteImage(box, 'image.png', SCREENSHOT_PNG);
      const failed = chat.locator('.upload-failed');
      await poll(() => failed.locator('.upload-error').textContent()).toMatch(/^image-[\d-]+\.png was not sent: Could not reach the server/);
      await screenshot(visitor, 'attachments-widget-upload-failed');
      await failed.getByRole('button', { name: 'Retry' }).click();
      await poll(() => loadedThumbnails(chat, 'msg-mine')).toBe(1);
      expect(await chat.locator('.upload-tray').isHidden()).toBe(true);
      await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toMatch(/^(sent|seen)$/);
      await poll(() => loadedThumbnails(agent, 'msg-theirs')).toBe(1);
      // Clicking it opens the full image: a link to the file, in a new tab.
      const link = agent.locator('.msg-theirs a.msg-image').first();
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('href')).toMatch(/^\/api\/attachments\/[0-9a-f-]{36}$/);

      // A PDF dropped on the widget: a download link on both sides.
      await chat.locator('.chat').evaluate((el) => {
        const page = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } };
          DragEvent: new (type: string, init: object) => never;
        };
        const data = new page.DataTransfer();
        data.items.add(new File(['%PDF-1.4\n%%EOF\n'], 'manual.pdf', { type: 'application/pdf' }));
        for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new page.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await poll(() => chat.locator('.msg-mine a.msg-file .msg-file-name').textContent()).toBe('manual.pdf');
      await poll(() => agent.locator('.msg-theirs a.msg-file .msg-file-name').textContent()).toBe('manual.pdf');
      // And one picked with the widget's attach button.
      await chat.locator('.composer input[type=file]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('order 1234\n') });
      await poll(() => agent.locator('.msg-theirs a.msg-file .msg-file-name').allTextContents()).toEqual(['manual.pdf', 'notes.txt']);

      // The agent pastes one back: a thumbnail in the console and in the widget.
      const reply = agent.getByRole('textbox', { name: /reply to/i });
      await pasteImage(reply, 'diagram.png', DIAGRAM_PNG);
      await poll(() => loadedThumbnails(agent, 'msg-mine')).toBe(1);
      await poll(() => loadedThumbnails(chat, 'msg-theirs')).toBe(1);

      // A file with a hostile name, picked with the attach button: a download link whose name is text.
      await agent.locator('.composer input[type=file]').setInputFiles({ name: HOSTILE, mimeType: 'text/plain', buffer: Buffer.from('restart the router\n') });
      const fileInWidget = chat.locator('.msg-theirs a.msg-file');
      await poll(() => fileInWidget.locator('.msg-file-name').textContent()).toBe(HOSTILE);
      expect(await fileInWidget.getAttribute('download')).toBe(HOSTILE);
      expect(await chat.locator('img[src="x"]').count()).toBe(0);
      expect(await agent.locator('img[src="x"]').count()).toBe(0);
      await poll(() => agent.locator('.msg-mine .msg-file-name').textContent()).toBe(HOSTILE);
      expect(await visitor.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await agent.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

      // A file over the limit (MAX_UPLOAD_BYTES, 256 KiB here) is refused before uploading, with the reason and no retry.
      await agent.locator('.composer input[type=file]').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(256 * 1024 + 1) });
      await poll(() => agent.locator('.upload-failed .upload-error').textContent()).toContain('too large');
      expect(await agent.locator('.upload-failed').getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await agent.locator('.upload-failed').getByRole('button', { name: 'Remove' }).click();
      await poll(() => agent.locator('.upload-tray').count()).toBe(0);

      await screenshot(agent, 'attachments-console-1280');
      copyFileSync(join(import.meta.dirname, '..', '..', 'test-results', 'screenshots', 'attachments-console-1280.png'), join(import.meta.dirname, '..', '..', 'docs', 'console-attachments.png'));
      await screenshot(visitor, 'attachments-widget-1280');
      expect(await overflowX(agent)).toBe(0);

      // At 375 px: the same conversation, thumbnails inside the screen, nothing wider than it.
      await agent.setViewportSize(PHONE);
      await visitor.setViewportSize(PHONE);
      await poll(() => loadedThumbnails(agent, 'msg-mine')).toBe(1);
      for (const page of [agent, visitor]) expect(await overflowX(page)).toBe(0);
      const thumb = await agent.locator('.msg-thumb').first().boundingBox();
      expect(thumb && thumb.x >= 0 && thumb.x + thumb.width <= PHONE.width).toBe(true);
      await screenshot(agent, 'attachments-console-375');
      await screenshot(visitor, 'attachments-widget-375');
      expect(visitorWatch.errors).toEqual([]);
      expect(agentWatch.errors).toEqual([]);
    } finally {
      await visitorContext.close();
      await agentContext.close();
    }
  });
});


