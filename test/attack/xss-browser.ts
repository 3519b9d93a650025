// Chromium armed for the stored-XSS case ([ATK-XSS]): every sink a payload can call is recorded
// by id in every frame, and so are dialogs, uncaught errors, console errors, navigations away
// from Parley's pages, popups and requests to any other origin. A canary proves the recording works.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { poll } from '../helpers/browser.ts';
import type { PageDocument } from './page-dom.ts';

// Used inside callbacks that run in the page (addInitScript, page.evaluate; see page-dom.ts).
declare const document: PageDocument;
declare const window: { __parleyXssReport(kind: string, id: string): void };

export interface Alarms {
  /** `alert(17) in http://…/agent` — a sink called by a payload (or a canary). */
  fired: string[];
  dialogs: string[];
  errors: string[];
  navigations: string[];
  /** Requests that left Parley's origin. */
  foreign: string[];
}

export const SINKS = ['__xss', 'alert', 'confirm', 'prompt', 'print'] as const;

/** Parley's own pages a staff member or visitor may be on during the case. */
const OWN_PAGES = new Set(['/login', '/agent', '/admin', '/chat']);

/**
 * A fresh context at 1280 px. CSP is bypassed on purpose: the pages' policy is asserted on its own
 * ([ATK-XSS1]); here the rendering must be safe without it, so a payload that becomes markup also
 * gets to run and names itself instead of only leaving a CSP report.
 */
export async function armedContext(browser: Browser, origin: string, alarms: Alarms): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await context.exposeBinding('__parleyXssReport', ({ frame }, kind: string, id: string) => {
    alarms.fired.push(`${kind}(${id}) in ${frame.url()}`);
  });
  await context.addInitScript((sinks: readonly string[]) => {
    for (const kind of sinks) {
      const sink = (id?: unknown) => {
        window.__parleyXssReport(kind, String(id));
        return kind === 'confirm' ? false : kind === 'prompt' ? null : undefined;
      };
      Object.defineProperty(window, kind, { value: sink, configurable: true, writable: true });
    }
  }, SINKS);
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url)) alarms.foreign.push(url);
  });
  context.on('page', (page) => watchPage(page, origin, alarms));
  return context;
}

function watchPage(page: Page, origin: string, alarms: Alarms): void {
  page.on('dialog', (dialog) => {
    alarms.dialogs.push(`${dialog.type()}(${dialog.message()}) in ${page.url()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (err) => alarms.errors.push(`${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium asks for /favicon.ico on its own; Parley has none.
    if (msg.type() !== 'error' || msg.location().url === `${origin}/favicon.ico`) return;
    alarms.errors.push(`${page.url()}: console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('popup', (popup) => alarms.navigations.push(`popup ${popup.url()} from ${page.url()}`));
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    const url = new URL(frame.url());
    if (url.origin !== origin || !OWN_PAGES.has(url.pathname)) alarms.navigations.push(frame.url());
  });
}

/** Proves the sinks are armed in the page and in a child frame: a deliberate injection must be caught. */
export async function canary(page: Page, alarms: Alarms, label: string): Promise<void> {
  await page.evaluate((label) => {
    const box = document.createElement('div');
    box.id = 'xss-canary';
    // The one place markup is parsed on purpose.
    box.innerHTML = `<img src="data:," onerror="__xss('canary-${label}')"><iframe srcdoc="<script>alert('canary-${label}-frame')</script>"></iframe>`;
    document.body.append(box);
  }, label);
  await poll(() => alarms.fired.filter((f) => f.includes(`canary-${label}`)).length).toBe(2);
  await page.evaluate(() => document.getElementById('xss-canary')?.remove());
  const rest = alarms.fired.filter((f) => !f.includes(`canary-${label}`));
  alarms.fired.splice(0, alarms.fired.length, ...rest);
}

/**
 * Markup in the app that Parley never creates itself: elements a payload would bring, inline
 * handlers, srcdoc, and URL attributes that are not plain web, mail or same-site addresses.
 */
export function sweep(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const foreignTags = new Set(
      ('script iframe frame frameset object embed img image video audio source track picture base meta link style template ' +
        'math marquee details portal noscript xmp listing noembed applet isindex keygen animate set discard foreignobject dialog').split(' '),
    );
    const urlAttr = /^(href|src|srcset|action|formaction|data|xlink:href|poster|background|ping)$/i;
    const bad: string[] = [];
    for (const el of document.querySelectorAll('#app *')) {
      if (foreignTags.has(el.localName.toLowerCase())) bad.push(el.outerHTML.slice(0, 200));
      for (const attr of el.attributes) {
        const suspicious =
          /^on/i.test(attr.name) ||
          /^(srcdoc|popover|autofocus|contenteditable)$/i.test(attr.name) ||
          (urlAttr.test(attr.name) && !/^(https?:|mailto:|\/(?!\/)|#)/i.test(attr.value.trim()));
        if (suspicious) bad.push(`${el.localName}[${attr.name}=${JSON.stringify(attr.value.slice(0, 120))}]`);
      }
    }
    return bad;
  });
}

/** Everything the alarms recorded, plus frames a payload could have added, as one list to expect empty. */
export function tripped(alarms: Alarms, pages: Page[]): string[] {
  const extraFrames = pages.flatMap((p) => p.frames().filter((f) => f !== p.mainFrame()).map((f) => `frame ${f.url()} in ${p.url()}`));
  return [
    ...alarms.fired.map((f) => `sink ${f}`),
    ...alarms.dialogs.map((d) => `dialog ${d}`),
    ...alarms.errors.map((e) => `error ${e}`),
    ...alarms.navigations.map((n) => `navigation ${n}`),
    ...alarms.foreign.map((u) => `request ${u}`),
    ...extraFrames,
  ];
}
