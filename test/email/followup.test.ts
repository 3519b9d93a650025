// [MAIL] Email (docs/protocol.md, "Email"): follow-ups of unread agent replies, the signed link
// back, transcripts on request, and the durable outbox — against a real SMTP server.

import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { signEmailLink } from '../../server/core/email-link.ts';
import { type AgentClient, eventually, next, ok, request, type VisitorClient } from '../helpers/clients.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { cookieOf, startApp, TEST_SECRET, type TestApp } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

const DELAY = '300';
const mailEnv = (smtp: TestSmtp) => ({ SMTP_URL: smtp.url, MAIL_FROM: 'Support <support@example.com>', EMAIL_FOLLOWUP_DELAY_MS: DELAY });

/** A visitor (with this email, or none) who writes once; an agent claims and answers with `replies`. */
async function answered(t: TestApp, agent: AgentClient, email: string | null, replies: string[]) {
  const { cookie } = await t.visitorSession(email ? { name: 'Vera', email } : { name: 'Vera' });
  const { socket } = await t.visitor('websocket', cookie);
  const { message } = await ok(socket, 'message:send', { clientId: `v-${Math.random()}`, body: 'my order is late' });
  const conversationId = message.conversationId;
  await ok(agent, 'conversation:claim', { conversationId });
  let lastSeq = 0;
  for (const body of replies) {
    // A bound that detects a reply that never comes, not a speed (two nodes beside other suites in CI).
    const seen = next(socket, 'message', (m) => m.body === body, 15_000);
    const sent = await ok(agent, 'message:send', { conversationId, clientId: `a-${Math.random()}`, body });
    lastSeq = sent.message.seq;
    await seen;
  }
  return { socket, cookie, conversationId, lastSeq };
}

/** A stopped node's database folder, removed when the test ends (its successor reuses the file). */
function removeLater(dbPath: string): void {
  onTestFinished(() => rmSync(dirname(dbPath), { recursive: true, force: true }));
}

/** The worker records a send right after the SMTP server's answer: wait for that record. */
async function allSent(t: TestApp): Promise<void> {
  await eventually(async () => (await t.store.countUnsentEmails()) === 0, 10_000, 'every email recorded as sent');
}

/** The visitor's last socket goes; resolves once the agent heard them leave (presence, cluster-wide). */
async function leaves(agent: AgentClient, socket: VisitorClient, conversationId: string) {
  const left = next(agent, 'presence', (p) => p.conversationId === conversationId && p.action === 'leave' && p.participant.kind === 'visitor');
  socket.close();
  await left;
}

describe('[MAIL] email follow-up and transcripts', () => {
  it('[MAIL1] an agent\'s unread replies reach the away visitor in ONE email, with the agent\'s name, the replies, attachments by name and a link back; never the visitor\'s own words', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: mailEnv(smtp) });
    const { socket: agent, cookie } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await answered(t, agent, 'vera@example.com', ['We are looking into it.', 'Found it: it ships <b>today</b> & arrives tomorrow.']);
    // A file with the reply: named in the email, never attached.
    const form = new FormData();
    form.append('file', new Blob(['1. restart\n'], { type: 'text/plain' }), 'steps.txt');
    const up = (await (await fetch(`${t.url}/api/attachments`, { method: 'POST', body: form, headers: { cookie } })).json()) as { attachment: { id: string } };
    const file = await ok(agent, 'message:send', { conversationId: v.conversationId, clientId: 'a-file', body: '', attachmentId: up.attachment.id });
    await leaves(agent, v.socket, v.conversationId);

    const [mail] = await smtp.count(1);
    expect(mail.to).toBe('vera@example.com');
    expect(mail.subject).toBe('New reply to your conversation');
    expect(mail.text).toContain('Ann:');
    expect(mail.text).toContain('We are looking into it.');
    expect(mail.text).toContain('Found it: it ships <b>today</b> & arrives tomorrow.');
    expect(mail.text).toContain('Attachment: steps.txt');
    expect(mail.html).toContain('Attachment: steps.txt');
    expect(mail.text).not.toContain('my order is late');
    // HTML: escaped, never markup from a message.
    expect(mail.html).toContain('&lt;b&gt;today&lt;/b&gt; &amp; arrives');
    expect(mail.html).not.toContain('<b>today</b>');
    expect(mail.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/chat\/return\?t=[\w-]+\.[\w-]+/);
    // The Message-ID is the outbox row's.
    await allSent(t);
    const rows = await t.store.listEmails(v.conversationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'followup', key: `followup:${v.conversationId}:${file.message.seq}`, attempts: 1 });
    expect(rows[0].sentAt).not.toBeNull();
    expect(mail.messageId).toBe(`<${rows[0].id}@parley.localhost>`);
    expect(await t.store.countUnsentEmails()).toBe(0);

    // A later reply is a new batch: one more email with only that reply.
    const again = 'One more thing: the tracking number is 42.';
    await ok(agent, 'message:send', { conversationId: v.conversationId, clientId: 'a-late', body: again });
    const mails = await smtp.count(2);
    expect(mails[1].text).toContain(again);
    expect(mails[1].text).not.toContain('We are looking into it.');
    expect(await t.store.listEmails(v.conversationId)).toHaveLength(2);
    await allSent(t);
    // What an operator sees (docs/deployment.md, "Email").
    const metrics = await (await t.http('/metrics')).text();
    expect(metrics).toContain('parley_emails_total{kind="followup",outcome="enqueued"} 2');
    expect(metrics).toContain('parley_emails_total{kind="followup",outcome="sent"} 2');
  });

  it('[MAIL2] no email when the visitor read the replies, while they are connected, or when they gave no email', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: mailEnv(smtp) });
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const read = await answered(t, agent, 'read@example.com', ['answer for the reader']);
    await ok(read.socket, 'history:get', {});
    read.socket.emit('read', { seq: read.lastSeq });
    await next(agent, 'read', (r) => r.conversationId === read.conversationId && r.seq === read.lastSeq);
    await leaves(agent, read.socket, read.conversationId);
    const connected = await answered(t, agent, 'here@example.com', ['answer for the one still here']);
    const anonymous = await answered(t, agent, null, ['answer for the one without an email']);
    await leaves(agent, anonymous.socket, anonymous.conversationId);
    // The control: waiting the same way, later than all of the above; the worker takes the oldest first.
    const control = await answered(t, agent, 'control@example.com', ['answer for the control']);
    await leaves(agent, control.socket, control.conversationId);

    const mails = await smtp.count(1);
    expect(mails.map((m) => m.to)).toEqual(['control@example.com']);
    await allSent(t);
    for (const c of [read, connected, anonymous]) expect(await t.store.listEmails(c.conversationId)).toEqual([]);
    expect(connected.socket.connected).toBe(true);
    expect(await t.store.countUnsentEmails()).toBe(0);
  });

  it('[MAIL3] a node stopped between taking an email and the SMTP server\'s answer: after a restart exactly one copy is delivered, with the same Message-ID', async () => {
    const smtp = await startSmtp();
    const env = mailEnv(smtp);
    const first = await startApp({ env, register: false, emailTiming: { leaseMs: 500 } });
    const dbPath = first.dbPath;
    removeLater(dbPath);
    const { socket: agent } = await first.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const held = smtp.holdNext();
    const v = await answered(first, agent, 'vera@example.com', ['held reply']);
    await leaves(agent, v.socket, v.conversationId);
    const { mail, release } = await held;
    // The node stops while the SMTP server has not answered; then the server refuses that attempt.
    await first.app.close(0);
    release(Object.assign(new Error('try again later'), { responseCode: 451 }));
    await first.store.close();

    const second = await startApp({ env, dbPath, emailTiming: { leaseMs: 500 } });
    const [delivered] = await smtp.count(1);
    expect(delivered.text).toContain('held reply');
    expect(delivered.messageId).toBe(mail.messageId);
    await allSent(second);
    const rows = await second.store.listEmails(v.conversationId);
    expect(rows).toHaveLength(1);
    expect(rows[0].sentAt).not.toBeNull();
    expect(await second.store.countUnsentEmails()).toBe(0);
    expect(smtp.received).toHaveLength(1);
  });

  it('[MAIL8] a restart while replies wait unread keeps the clock: the follow-up still comes, once, after the new node starts', async () => {
    const smtp = await startSmtp();
    // Long enough that the node is stopped before the email is due.
    const env = { ...mailEnv(smtp), EMAIL_FOLLOWUP_DELAY_MS: '1500' };
    const first = await startApp({ env, register: false });
    removeLater(first.dbPath);
    const { socket: agent } = await first.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await answered(first, agent, 'vera@example.com', ['answered before the restart']);
    await leaves(agent, v.socket, v.conversationId);
    await first.app.close(0);
    await first.store.close();
    expect(smtp.received).toHaveLength(0);

    const second = await startApp({ env, dbPath: first.dbPath });
    const [mail] = await smtp.count(1);
    expect(mail.text).toContain('answered before the restart');
    await allSent(second);
    expect(await second.store.listEmails(v.conversationId)).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
  });

  it('[MAIL4] an SMTP outage loses nothing: the email waits, is retried with backoff, and arrives once when the server is back', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: mailEnv(smtp), emailTiming: { retryBaseMs: 100 } });
    await smtp.stop();
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await answered(t, agent, 'vera@example.com', ['sent during the outage']);
    await leaves(agent, v.socket, v.conversationId);
    // Two failed attempts recorded (refused connections), nothing lost.
    const failed = await (async () => {
      for (;;) {
        const [row] = await t.store.listEmails(v.conversationId);
        if (row && row.attempts >= 2 && row.lastError) return row;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    expect(failed.sentAt).toBeNull();
    expect(failed.failedAt).toBeNull();
    await smtp.start();
    const [mail] = await smtp.count(1);
    expect(mail.text).toContain('sent during the outage');
    await allSent(t);
    const [row] = await t.store.listEmails(v.conversationId);
    expect(row.sentAt).not.toBeNull();
    expect(await t.store.countUnsentEmails()).toBe(0);
    expect(smtp.received).toHaveLength(1);
  });

  it('[MAIL9] a permanent refusal (5xx) is given up at once and recorded; the next email still goes', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: mailEnv(smtp) });
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const bounced = await answered(t, agent, 'nobody@example.com', ['to an unknown mailbox']);
    await leaves(agent, bounced.socket, bounced.conversationId);
    const good = await answered(t, agent, 'vera@example.com', ['to a real one']);
    await leaves(agent, good.socket, good.conversationId);
    const [mail] = await smtp.count(1);
    expect(mail.to).toBe('vera@example.com');
    await allSent(t);
    const [row] = await t.store.listEmails(bounced.conversationId);
    expect(row).toMatchObject({ attempts: 1, sentAt: null });
    expect(row.failedAt).not.toBeNull();
    expect(row.lastError).toContain('550');
    expect(smtp.received).toHaveLength(1);
  });

  it('[MAIL5] two nodes (PostgreSQL + Redis) both watch and send: each follow-up leaves exactly once', async () => {
    const smtp = await startSmtp();
    const t = await startCluster({ env: mailEnv(smtp) });
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const conversations: string[] = [];
    for (let i = 0; i < 6; i++) {
      const v = await answered(t, agent, `v${i}@example.com`, [`reply ${i}`]);
      await leaves(agent, v.socket, v.conversationId);
      conversations.push(v.conversationId);
    }
    const mails = await smtp.count(6);
    expect(mails.map((m) => m.to).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `v${i}@example.com`));
    await allSent(t);
    for (const id of conversations) expect(await t.store.listEmails(id)).toHaveLength(1);
    expect(await t.store.countUnsentEmails()).toBe(0);
    expect(smtp.received).toHaveLength(6);
  });

  it('[MAIL6] the email speaks the widget\'s language; its link restores the visitor in a new browser and shows the conversation; a tampered or expired link is refused and changes nothing', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: mailEnv(smtp) });
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await answered(t, agent, 'vera@example.com', ['come back to read this']);
    // The widget's language travels with page:view (no ack: the stored value is the barrier).
    v.socket.emit('page:view', { url: 'https://shop.example.com/', language: 'fr' });
    await eventually(async () => (await t.store.followUpsPending(Date.now() + 60_000, null, 10)).some((p) => p.language === 'fr'), 5000, 'the language stored');
    await leaves(agent, v.socket, v.conversationId);
    const [mail] = await smtp.count(1);
    expect(mail.subject).toBe('Nouvelle réponse à votre conversation');
    expect(mail.text).toContain('Reprendre la conversation');
    const link = /http:\/\/\S+\/chat\/return\?t=[\w.-]+/.exec(mail.text)![0];
    const path = link.slice(t.url.length);

    const tampered = path.slice(0, -2) + (path.endsWith('AA') ? 'BB' : 'AA');
    const refused = await t.http(tampered, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('parley.sid='))).toBe(false);
    expect(await refused.text()).toContain('This link doesn&#39;t work');

    const old = signEmailLink(TEST_SECRET, { visitorId: (await t.store.getConversation(v.conversationId))!.visitorId, conversationId: v.conversationId, language: null, expiresAt: Date.now() - 1 });
    const expired = await t.http(`/chat/return?t=${old}`, { redirect: 'manual' });
    expect(expired.status).toBe(410);
    expect(expired.headers.getSetCookie().some((c) => c.startsWith('parley.sid='))).toBe(false);
    expect(await expired.text()).toContain('This link has expired');

    // A new browser: no cookie.
    const res = await t.http(path, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/chat?lang=fr');
    const cookie = cookieOf(res);
    const me = (await (await t.http('/api/me', { cookie })).json()) as { visitor: { email: string } };
    expect(me.visitor.email).toBe('vera@example.com');
    const restored = await t.connectAs('/visitor', 'polling', cookie);
    const history = await ok(restored, 'history:get', {});
    expect(history.conversation!.id).toBe(v.conversationId);
    expect(history.messages.map((m) => m.body)).toEqual(['my order is late', 'come back to read this']);
  });

  it('[MAIL7] transcript on request: only the visitor\'s own closed conversation, once; asks for an email when there is none; never a private note; email_off without SMTP', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: mailEnv(smtp) });
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await answered(t, agent, null, ['Here is your answer.']);
    await ok(agent, 'note:add', { conversationId: v.conversationId, clientId: 'n1', body: 'PRIVATE: customer seems upset' });
    const open = await request(v.socket, 'transcript:request', { conversationId: v.conversationId, email: 'vera@example.com' });
    expect(open).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await ok(v.socket, 'profile:update', { name: 'Vera' })).visitor.email).toBeNull();
    await ok(agent, 'conversation:close', { conversationId: v.conversationId });

    expect(await request(v.socket, 'transcript:request', { conversationId: v.conversationId })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await request(v.socket, 'transcript:request', { conversationId: v.conversationId, email: 'not an email' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const other = await t.visitor('websocket');
    expect(await request(other.socket, 'transcript:request', { conversationId: v.conversationId, email: 'x@example.com' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const done = await ok(v.socket, 'transcript:request', { conversationId: v.conversationId, email: 'vera@example.com', language: 'de' });
    expect(done).toMatchObject({ to: 'vera@example.com', duplicate: false });
    const [mail] = await smtp.count(1);
    expect(mail.to).toBe('vera@example.com');
    expect(mail.subject).toBe('Verlauf Ihres Gesprächs');
    expect(mail.text).toContain('my order is late');
    expect(mail.text).toContain('Here is your answer.');
    expect(mail.text).not.toContain('PRIVATE');
    expect(mail.html).not.toContain('PRIVATE');
    // The address was saved on the visitor; asking again sends nothing new.
    expect((await ok(v.socket, 'profile:update', { name: 'Vera' })).visitor.email).toBe('vera@example.com');
    expect(await ok(v.socket, 'transcript:request', { conversationId: v.conversationId })).toMatchObject({ duplicate: true });
    expect(await t.store.listEmails(v.conversationId)).toHaveLength(1);

    const off = await startApp();
    const { socket: offAgent } = await off.agent('websocket', 'bo@example.com');
    const w = await answered(off, offAgent, 'w@example.com', ['hi']);
    await ok(offAgent, 'conversation:close', { conversationId: w.conversationId });
    expect(await request(w.socket, 'transcript:request', { conversationId: w.conversationId })).toMatchObject({ ok: false, error: { code: 'email_off' } });
    expect(await off.store.listEmails(w.conversationId)).toEqual([]);
  });

  it('[MAIL10] the delay is a team setting: GET /api/settings shows it (EMAIL_FOLLOWUP_DELAY_MS until changed) and whether email is on; a change applies to replies already waiting', async () => {
    const smtp = await startSmtp();
    const t = await startApp({ env: { ...mailEnv(smtp), EMAIL_FOLLOWUP_DELAY_MS: '3600000' } });
    const admin = (await t.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;
    const read = async (app: TestApp, cookie: string) => (await (await app.http('/api/settings', { cookie })).json()) as { settings: { emailFollowUpDelayMs: number }; email: { enabled: boolean; from: string } };
    expect(await read(t, admin)).toMatchObject({ settings: { emailFollowUpDelayMs: 3_600_000 }, email: { enabled: true, from: 'Support <support@example.com>' } });
    for (const bad of [-1, 86_400_001, 1.5, '300']) {
      expect((await t.http('/api/settings', { method: 'PUT', cookie: admin, json: { emailFollowUpDelayMs: bad } })).status).toBe(400);
    }
    expect((await read(t, admin)).settings.emailFollowUpDelayMs).toBe(3_600_000);

    // Waiting under the hour's delay; shortened, the waiting replies go out.
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await answered(t, agent, 'vera@example.com', ['Waiting for you.']);
    await leaves(agent, v.socket, v.conversationId);
    expect(await t.store.listEmails(v.conversationId)).toEqual([]);
    const changed = await t.http('/api/settings', { method: 'PUT', cookie: admin, json: { emailFollowUpDelayMs: 300 } });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { settings: { emailFollowUpDelayMs: number } }).settings.emailFollowUpDelayMs).toBe(300);
    const [mail] = await smtp.count(1);
    expect(mail.to).toBe('vera@example.com');
    expect(mail.text).toContain('Waiting for you.');

    // Without SMTP_URL the page learns that email is off.
    const off = await startApp();
    const offAdmin = (await off.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;
    expect((await read(off, offAdmin)).email).toEqual({ enabled: false, from: 'Parley <parley@localhost>' });
  });
});
