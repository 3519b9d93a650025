// [ATK-XSS] Stored XSS (issue #11): ~210 payloads go in through every field a visitor controls —
// name and email (session body and profile:update), message bodies, the page address and title
// of page:view — sent by real socket.io clients, as an attacker would. Staff then look at them in
// Chromium: the console's queue, conversation pane and visitor panel, the dashboard's visitor
// table and feed, and the visitor's own chat page. Each must show the payload as its literal
// text (SPEC §7), and no sink, dialog, navigation or foreign request may happen anywhere.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Visitor } from '../../server/protocol/shapes.ts';
import { poll, screenshot, useBrowser } from '../helpers/browser.ts';
import { type AgentClient, connect, ok, type VisitorClient } from '../helpers/clients.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { ADMIN, type Control, expectUnharmed, startTarget, type Target } from './target.ts';
import { type Alarms, armedContext, canary, sweep, tripped } from './xss-browser.ts';
import { openEach, readChat, readFeed, readMine, readQueue, readToasts, readVisitorRows } from './xss-screens.ts';
import { buildPayloads, type Payload } from './xss-payloads.ts';

const browser = useBrowser();
const PAYLOADS = buildPayloads();

// What the server keeps of each field (server/edge/schemas.ts): names and addresses are
// trimmed, names ≤ 100, titles ≤ 300; an email is one word around an @ with a dot after it.
function fitted(text: string, max: number): string {
  const t = text.trim();
  return t.length > max ? t.slice(0, max).trim() : t;
}
const asName = (p: Payload) => fitted(p.text, 100);
const asUrl = (p: Payload) => fitted(p.text, 2048);
const asTitle = (p: Payload) => p.text.slice(0, 300);
/** The payload squeezed into an address: whitespace becomes `/` (HTML's other attribute separator). */
// Email addresses may not hold white space or control characters (the server refuses them): those become '/'.
const asEmail = (p: Payload) => `${p.text.replace(/[\s\u0000-\u001f\u007f]+/g, '/').replaceAll('@', '%40').slice(0, 240)}@xss.test`;

/** One attacking visitor: everything it planted, and what staff must see of it. */
interface Planted {
  payload: Payload;
  socket: VisitorClient;
  visitorId: string;
  /** Its name when it came online (the dashboard's feed says so). */
  nameAtConnect: string;
  name: string;
  email: string;
  conversationId: string;
  body: string;
  url: string;
  title: string;
}

/**
 * Even payloads name the visitor in the session body and give the email by profile:update; odd
 * ones the other way round. Then the page view, then the message that queues the conversation.
 */
async function plant(target: Target, payload: Payload): Promise<Planted> {
  const name = asName(payload);
  const email = asEmail(payload);
  const nameFirst = payload.id % 2 === 0;
  const res = await fetch(`${target.url}/api/visitor/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(nameFirst ? { name } : { email }),
  });
  expect(res.status, `session for payload ${payload.id}`).toBe(200);
  const { visitor } = (await res.json()) as { visitor: Visitor };
  const socket = await connect(target.url, '/visitor', { transport: 'websocket', cookie: cookieOf(res) });
  const updated = await ok(socket, 'profile:update', nameFirst ? { email } : { name });
  // The server keeps the payloads as they are (no escaping, no refusal): the clients must cope.
  expect(updated.visitor).toEqual({ id: visitor.id, name, email, verified: false });
  const url = asUrl(payload);
  const title = asTitle(payload);
  socket.emit('page:view', { url, title });
  const { message } = await ok(socket, 'message:send', { clientId: `xss-${payload.id}`, body: payload.text });
  expect(message.body).toBe(payload.text);
  return { payload, socket, visitorId: visitor.id, nameAtConnect: visitor.name, name, email, conversationId: message.conversationId, body: payload.text, url, title };
}

/** Runs `work` over `items`, `width` at a time, keeping the order of the results. */
async function pooled<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

async function signIn(page: Page, target: Target, path: '/agent' | '/admin'): Promise<void> {
  await page.goto(`${target.url}/login?next=${path}`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${target.url}${path}`);
  await page.locator('.app-banner[data-state="online"]').waitFor({ state: 'attached' });
}

/** The payload ids behind a list of alarms, for a failure message that names the culprits. */
function culprits(alarms: string[]): string {
  const ids = new Set(alarms.flatMap((a) => [...a.matchAll(/(?:\((\d+)\)|xss-(\d+)\.invalid)/g)].map((m) => m[1] ?? m[2])));
  const named = [...ids].map((id) => PAYLOADS.find((p) => String(p.id) === id)).filter((p) => p !== undefined);
  return named.map((p) => `#${p.id} [${p.family}] ${JSON.stringify(p.text)}`).join('\n');
}

const quiet = (): Alarms => ({ fired: [], dialogs: [], errors: [], navigations: [], foreign: [] });

/** `keys` of `all`, in that order, with null for the missing ones (a readable diff when some never render). */
const pick = (all: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, all[k] ?? null]));

/**
 * Waits until every expected key has rendered (`done`: the asynchronous part arrived), then
 * compares softly: a wrong rendering is reported with its diff, and the case goes on, so that it
 * also names the payloads that ran.
 */
async function expectRendered<T>(read: () => Promise<Record<string, T>>, expected: Record<string, T>, done: (v: T) => boolean, what: string): Promise<void> {
  const keys = Object.keys(expected);
  let actual: Record<string, unknown> = {};
  await poll(
    async () => {
      actual = pick(await read(), keys);
      return Object.values(actual).every((v) => v !== null && done(v as T));
    },
    { timeout: 20_000 },
  )
    .toBe(true)
    .catch(() => {
      /* what is missing shows in the comparison below */
    });
  expect.soft(actual, what).toEqual(expected);
}

/** Soft, and called from `finally`: the payloads that ran are named even when the case broke off. */
function expectNothingTripped(alarms: Alarms, pages: Page[]): void {
  const list = tripped(alarms, pages);
  expect.soft(list, `payloads that fired:\n${culprits(list)}`).toEqual([]);
}

describe('[ATK-XSS] stored XSS through every visitor-controlled field', () => {
  let target: Target;
  let control: Control;

  beforeAll(async () => {
    // The console asks the server for every conversation that arrives (a preview) and is opened
    // (history, visitor details): a few hundred within seconds would exhaust its own connection's
    // event budget (max(200, 4 × MESSAGE_RATE_LIMIT) per 10 s) and leave previews blank — a flood
    // limit this case is not about. The visitors' message limit is raised with it.
    // The ~200 attacking visitors all come from this machine's one address: the per-address limits
    // (tested in hardening.test.ts) would stop them before their payloads reach any screen.
    target = await startTarget({ MESSAGE_RATE_LIMIT: '200', NEW_VISITOR_RATE_LIMIT: '0', HTTP_RATE_LIMIT: '0', CONNECTIONS_PER_ADDRESS: '0' });
    control = await target.control();
  });
  afterAll(async () => {
    control?.close();
    await target?.close();
  });

  it('[ATK-XSS0] ~200 distinct payloads, each fitting every field it is sent in', () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(PAYLOADS.map((p) => p.text)).size).toBe(PAYLOADS.length);
    expect(new Set(PAYLOADS.map(asName)).size, 'names must tell the visitors apart').toBe(PAYLOADS.length);
    for (const p of PAYLOADS) {
      expect(asEmail(p)).toMatch(/^[^\s@]+@[^\s@]+\.[^\s@]+$/);
      expect(asName(p).length).toBeGreaterThan(0);
    }
  });

  it('[ATK-XSS1] the console, dashboard, chat and demo pages forbid inline script in their CSP, and need none', async () => {
    const cookie = await target.adminCookie();
    for (const [path, signedIn] of [['/', false], ['/chat', false], ['/login', false], ['/agent', true], ['/admin', true]] as const) {
      const res = await fetch(target.url + path, { redirect: 'manual', headers: signedIn ? { cookie } : {} });
      expect(res.status, path).toBe(200);
      const header = res.headers.get('content-security-policy');
      expect(header, path).not.toBeNull();
      const policy = new Map(
        header!
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0] !== '')
          .map(([name, ...sources]) => [name.toLowerCase(), sources] as const),
      );
      const scripts = policy.get('script-src') ?? policy.get('default-src');
      expect(scripts, `${path}: script-src`).toBeDefined();
      for (const directive of ['script-src', 'script-src-elem', 'script-src-attr', 'default-src']) {
        for (const source of policy.get(directive) ?? []) {
          // Only addresses of script files may run: nothing inline, evaluated, hashed, nonced or from data:.
          expect(source, `${path}: ${directive}`).not.toMatch(/^'(unsafe-|strict-dynamic|nonce-|sha\d+-)|^(data|blob|javascript|https?):?$|^\*$/i);
        }
      }
      expect(scripts, `${path}: script-src`).toContain("'self'");
      expect(policy.get('object-src'), `${path}: object-src`).toEqual(["'none'"]);
      expect(["'none'", "'self'"], `${path}: base-uri`).toContain(policy.get('base-uri')?.join(' '));
      const html = await res.text();
      // A data block is not run: the page's language data (<script type="application/json" id="parley-i18n">) may be inline.
      expect(html.match(/<script(?![^>]*\ssrc=)(?![^>]*\stype="application\/json")[^>]*>/gi), `${path}: inline <script>`).toBeNull();
      expect(html.match(/<[^>]+\son[a-z]+\s*=/gi), `${path}: inline handlers`).toBeNull();
    }
  });

  it('[ATK-XSS2] the console and the dashboard show every payload as text and run none', { timeout: 120_000 }, async () => {
    const alarms = quiet();
    const context = await armedContext(browser(), target.url, alarms);
    const staff = await connect(target.url, '/agent', { transport: 'websocket', cookie: await target.adminCookie(), origin: target.url });
    const planted: Planted[] = [];
    try {
      const agentPage = await context.newPage();
      await signIn(agentPage, target, '/agent');
      const adminPage = await context.newPage();
      await adminPage.goto(`${target.url}/admin`);
      await adminPage.locator('.app-banner[data-state="online"]').waitFor({ state: 'attached' });
      await canary(agentPage, alarms, 'agent');
      await canary(adminPage, alarms, 'admin');

      // In four rounds, so the console's lists stay the size a busy team sees (it redraws a whole list on each change).
      const size = Math.ceil(PAYLOADS.length / 4);
      for (let from = 0; from < PAYLOADS.length; from += size) {
        // The attack: each visitor plants its payload in every field, then waits in the queue.
        const round = await pooled(PAYLOADS.slice(from, from + size), 8, (p) => plant(target, p));
        planted.push(...round);
        const byConversation = <R>(f: (v: Planted) => R, of = round): Record<string, R> => Object.fromEntries(of.map((v) => [v.conversationId, f(v)]));
        const ids = round.map((v) => v.conversationId);

        // Console, queue: each visitor's name and last message, as the conversations arrived live.
        const listed = byConversation((v) => ({ name: v.name, preview: v.body }));
        await expectRendered(() => readQueue(agentPage), listed, (q) => q.preview!.trim() !== '', 'console queue');

        // Dashboard: every online visitor with its name, page title and address...
        const rows = Object.fromEntries(round.map((v) => [v.visitorId, { name: v.name, title: v.title, url: v.url }]));
        await expectRendered(() => readVisitorRows(adminPage), rows, (r) => r.url !== null, 'dashboard visitors');
        // ...and the activity feed: "<time> Visitor <name> came online" (the newest 30 lines).
        const feed = await readFeed(adminPage);
        const who = (name: string) => (name.startsWith('Visitor ') ? name : `Visitor ${name}`);
        const lines = new Set(planted.flatMap((v) => [v.nameAtConnect, v.name].flatMap((n) => [` ${who(n)} came online`, ` ${who(n)} went offline`])));
        expect.soft(feed.filter((line) => !lines.has(line) && !/^ Agent .+ (came online|went offline)$/.test(line)), 'feed lines that are not a name as text').toEqual([]);
        const payloadLines = feed.filter((line) => lines.has(line) && !/^ Visitor [0-9a-z]{4} came online$/.test(line));
        expect.soft(payloadLines.length, 'feed lines with a payload name').toBeGreaterThanOrEqual(10);

        // Each conversation opened in turn from the queue: its pane (title, transcript) and the visitor panel.
        const panes = (v: Planted) => ({ title: v.name, authors: [v.name], bodies: [v.body], name: v.name, email: v.email, pageTitle: v.title, url: v.url });
        expect.soft(await openEach(agentPage, 'queue', ids), 'console panes and visitor panel').toEqual(byConversation(panes));

        if (from === 0) {
          // Claimed: a few with the console's own button, more by the same admin from another connection
          // (the console says "<name> was assigned to you."); they move to "My conversations" with the
          // last message as preview, and open as the agent's own.
          const claimed = round.slice(0, 10);
          for (const v of claimed.slice(0, 3)) {
            await agentPage.locator(`li.queue-item[data-id="${v.conversationId}"] .claim-button`).click();
            await agentPage.locator(`li.mine-item[data-id="${v.conversationId}"]`).waitFor();
          }
          for (const v of claimed.slice(3)) await ok(staff, 'conversation:claim', { conversationId: v.conversationId });
          await expectRendered(() => readMine(agentPage), byConversation((v) => ({ name: v.name, preview: v.body }), claimed), (m) => (m.preview ?? '').trim() !== '', 'console, my conversations');
          // Notes last 6 s: those still up must be the names as text.
          const assigned = new Set(claimed.map((v) => `${v.name} was assigned to you.`));
          expect.soft((await readToasts(agentPage)).filter((t) => !assigned.has(t!)), 'console notes').toEqual([]);
          expect.soft(await openEach(agentPage, 'mine', claimed.map((v) => v.conversationId)), 'console panes of claimed conversations').toEqual(byConversation(panes, claimed));
          await screenshot(agentPage, 'attack-xss-console');
          await screenshot(adminPage, 'attack-xss-dashboard');
        }
        expect.soft(await sweep(agentPage), 'markup from payloads in the console').toEqual([]);
        expect.soft(await sweep(adminPage), 'markup from payloads in the dashboard').toEqual([]);

        // Done with this round: its conversations closed, its visitors gone.
        await pooled(round, 8, (v) => ok(staff, 'conversation:close', { conversationId: v.conversationId }));
        for (const v of round) v.socket.close();
        await poll(async () => Object.keys(await readQueue(agentPage)).filter((id) => ids.includes(id))).toEqual([]);
      }
      expect(planted).toHaveLength(PAYLOADS.length);
    } finally {
      expectNothingTripped(alarms, context.pages());
      staff.close();
      for (const v of planted) v.socket.close();
      await context.close();
    }
    await expectUnharmed(target, control);
  });

  it('[ATK-XSS3] the visitor\'s own chat shows its payload names and messages as text and runs none', { timeout: 60_000 }, async () => {
    const alarms = quiet();
    const context = await armedContext(browser(), target.url, alarms);
    const tabs: VisitorClient[] = [];
    try {
      // The session already carries a payload name and email when the chat opens.
      const first = PAYLOADS[0];
      const session = await context.request.post(`${target.url}/api/visitor/session`, { data: { name: asName(first), email: asEmail(first) } });
      expect(session.status()).toBe(200);
      const page = await context.newPage();
      await page.goto(`${target.url}/chat`);
      await page.locator('.chat[data-connection="online"]').waitFor({ state: 'attached' });
      await canary(page, alarms, 'chat');

      // A few typed into the chat itself (pending, then confirmed)...
      const typed = PAYLOADS.slice(0, 3);
      const input = page.getByRole('textbox', { name: 'Message' });
      for (const p of typed) {
        await input.fill(p.text);
        await input.press('Enter');
      }
      await poll(() => page.locator('.msg[data-id]').count()).toBe(typed.length);
      // ...the rest from the visitor's other tabs, renaming it to each payload before its message.
      // The chat shows the visitor's messages under their current name (a rename applies to the
      // earlier ones too), so each name is checked on this page while it is the current one.
      const cookie = (await context.cookies(target.url)).map((c) => `${c.name}=${c.value}`).join('; ');
      for (let i = 0; i < 5; i++) tabs.push(await connect(target.url, '/visitor', { transport: 'websocket', cookie }));
      const sent: Record<string, { author: string; body: string; mine: boolean }> = {};
      for (const [i, p] of PAYLOADS.slice(typed.length).entries()) {
        // One tab after another, each well within MESSAGE_RATE_LIMIT.
        const tab = tabs[i % tabs.length];
        await ok(tab, 'profile:update', { name: asName(p) });
        const { message } = await ok(tab, 'message:send', { clientId: `chat-${p.id}`, body: p.text });
        expect(message.author.name).toBe(asName(p));
        sent[message.id] = { author: asName(p), body: p.text, mine: true };
        await expectRendered(() => readChat(page), { [message.id]: sent[message.id] }, (m) => m.author === asName(p), `chat message and name of ${p.id}`);
      }
      const current = asName(PAYLOADS[PAYLOADS.length - 1]);
      for (const m of Object.values(sent)) m.author = current;
      await expectRendered(() => readChat(page), sent, (m) => m.author === current, 'chat messages from other tabs, under the current name');
      const typedShown = Object.entries(await readChat(page))
        .filter(([id]) => !(id in sent))
        .map(([, m]) => m);
      const byBody = (a: { body: string | null }, b: { body: string | null }) => (a.body! < b.body! ? -1 : 1);
      expect.soft(typedShown.sort(byBody), 'chat messages typed').toEqual(typed.map((p) => ({ author: current, body: p.text, mine: true })).sort(byBody));
      await screenshot(page, 'attack-xss-chat');

      expect.soft(await sweep(page), 'markup from payloads in the chat').toEqual([]);
    } finally {
      expectNothingTripped(alarms, context.pages());
      for (const tab of tabs) tab.close();
      await context.close();
    }
    await expectUnharmed(target, control);
  });
});
