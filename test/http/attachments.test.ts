// [ATT] Attachments (docs/protocol.md, Attachments): upload over HTTP, send with message:send,
// de-duplication by clientId, who may read a file, size and type limits, file names. On one node
// and on two nodes sharing PostgreSQL and Redis (upload on one node, fetch through the other).

import { describe, expect, it } from 'vitest';
import { cleanFileName, contentDisposition } from '../../server/core/attachment-files.ts';
import type { Attachment } from '../../server/protocol/shapes.ts';
import { next, ok, request } from '../helpers/clients.ts';
import type { TestApp } from '../helpers/start-app.ts';
import { startApp } from '../helpers/start-app.ts';
import { type ClusterTestApp, MATRIX, startTopology } from '../helpers/topology.ts';

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

type Uploaded = { status: number; body: { attachment?: Omit<Attachment, 'url'>; error?: { code: string; message: string } } };

export async function upload(
  base: string,
  cookie: string | undefined,
  file: { name: string; type: string; data: Uint8Array },
  opts: { as?: 'visitor'; field?: string; origin?: string } = {},
): Promise<Uploaded> {
  const form = new FormData();
  form.append(opts.field ?? 'file', new Blob([file.data], { type: file.type }), file.name);
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (opts.origin) headers.origin = opts.origin;
  const res = await fetch(`${base}/api/attachments${opts.as ? `?as=${opts.as}` : ''}`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as Uploaded['body'] };
}

async function fetchFile(base: string, path: string, cookie?: string) {
  const res = await fetch(base + path, { headers: cookie ? { cookie } : {} });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The node an agent's HTTP goes to: node B in the cluster (the visitor's is A). */
const agentBase = (t: TestApp) => ((t as ClusterTestApp).nodes ? (t as ClusterTestApp).nodes[1].url : t.url);

describe.each(MATRIX)('[ATT] attachments %s over %s', (topology, transport) => {
  it('[ATT1] upload, send with attachmentId (empty body), dedupe by clientId, both ways; the access matrix refuses everyone else', async () => {
    const t = await startTopology(topology);
    const v1 = await t.visitor(transport);
    const alice = await t.agent(transport, 'alice@example.com', { name: 'Alice' });

    // The visitor uploads (node A) and sends the file with an empty body.
    const up = await upload(t.url, v1.cookie, { name: 'shot.png', type: 'image/png', data: PNG }, { as: 'visitor' });
    expect(up.status).toBe(201);
    expect(up.body.attachment).toEqual({ id: expect.any(String), name: 'shot.png', size: PNG.length, type: 'image/png' });
    const id = up.body.attachment!.id;
    const { message } = await ok(v1.socket, 'message:send', { clientId: 'v-file', body: '', attachmentId: id });
    expect(message).toMatchObject({ seq: 1, body: '', attachment: { id, name: 'shot.png', size: PNG.length, type: 'image/png', url: `/api/attachments/${id}` } });
    // The same clientId again: the original message, nothing new.
    const again = await ok(v1.socket, 'message:send', { clientId: 'v-file', body: '', attachmentId: id });
    expect(again.message).toEqual(message);
    const conversationId = message.conversationId;

    // The agent claims it and reads it in history, then fetches the file through node B.
    await ok(alice.socket, 'conversation:claim', { conversationId });
    const history = await ok(alice.socket, 'history:get', { conversationId });
    expect(history.messages).toEqual([message]);
    const got = await fetchFile(agentBase(t), message.attachment!.url, alice.cookie);
    expect(got.res.status).toBe(200);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(got.res.headers.get('content-type')).toBe('image/png');
    expect(got.res.headers.get('content-disposition')).toBe(`inline; filename="shot.png"; filename*=UTF-8''shot.png`);
    expect(got.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.res.headers.get('content-security-policy')).toContain('sandbox');
    // The visitor reads their own file too.
    expect((await fetchFile(t.url, message.attachment!.url, v1.cookie)).res.status).toBe(200);

    // The agent sends a text file back: a download for the visitor, delivered live.
    const doc = await upload(agentBase(t), alice.cookie, { name: 'steps.txt', type: 'text/plain', data: Buffer.from('1. restart\n2. retry\n') });
    expect(doc.status).toBe(201);
    expect(doc.body.attachment?.type).toBe('text/plain');
    const atVisitor = next(v1.socket, 'message', (m) => m.clientId === 'a-file');
    const sent = await ok(alice.socket, 'message:send', { conversationId, clientId: 'a-file', body: 'Try these', attachmentId: doc.body.attachment!.id });
    expect(await atVisitor).toEqual(sent.message);
    const txt = await fetchFile(t.url, sent.message.attachment!.url, v1.cookie);
    expect(txt.res.status).toBe(200);
    expect(txt.res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(txt.res.headers.get('content-disposition')).toMatch(/^attachment; /);

    // The access matrix: another visitor, nobody, another agent (the conversation is Alice's), odd ids.
    const v2 = await t.visitor(transport);
    const bob = await t.agent(transport, 'bob@example.com', { name: 'Bob' });
    for (const path of [message.attachment!.url, sent.message.attachment!.url]) {
      expect((await fetchFile(t.url, path, v2.cookie)).res.status).toBe(404);
      expect((await fetchFile(t.url, path)).res.status).toBe(401);
      expect((await fetchFile(agentBase(t), path, bob.cookie)).res.status).toBe(404);
    }
    for (const odd of ['..%2F..%2Fetc%2Fpasswd', 'x'.repeat(300), '%00', '%F0%9F%98%80', `${id}%20`, id.toUpperCase()]) {
      const r = await fetchFile(t.url, `/api/attachments/${odd}`, v2.cookie);
      expect(r.res.status, odd).toBe(404);
    }
    // Nor can another visitor or agent send someone else's upload: nothing is stored.
    const stolen = await request(v2.socket, 'message:send', { clientId: 'steal', body: '', attachmentId: id });
    expect(stolen).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await ok(v2.socket, 'history:get', {})).toMatchObject({ conversation: null, messages: [] });
    const bobSteal = await request(bob.socket, 'message:send', { conversationId, clientId: 'b', body: '', attachmentId: id });
    expect(bobSteal.ok).toBe(false);
    // A malformed attachmentId is invalid_payload; an empty body without a file is still refused.
    for (const attachmentId of [5, '', 'x'.repeat(101), null]) {
      expect(await request(v1.socket, 'message:send', { clientId: 'bad', body: '', attachmentId } as never), String(attachmentId)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(await request(v1.socket, 'message:send', { clientId: 'empty', body: '' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect((await ok(alice.socket, 'history:get', { conversationId })).messages.map((m) => m.clientId)).toEqual(['v-file', 'a-file']);

    // Closed: the conversation is the team's, so Bob may read it now; the other visitor still may not.
    await ok(alice.socket, 'conversation:close', { conversationId });
    expect((await fetchFile(agentBase(t), message.attachment!.url, bob.cookie)).res.status).toBe(200);
    expect((await fetchFile(t.url, message.attachment!.url, v2.cookie)).res.status).toBe(404);
  });
});

describe('[ATT] limits on one node', () => {
  it('[ATT2] size and type limits, field rules, sessions and origins', async () => {
    const t = await startApp({ env: { MAX_UPLOAD_BYTES: '4096', ALLOWED_ORIGINS: 'https://shop.example' } });
    const { cookie } = await t.visitorSession();
    const big = Buffer.concat([PNG, Buffer.alloc(5000)]);
    // Over the limit with a Content-Length: refused before reading.
    const over = await upload(t.url, cookie, { name: 'big.png', type: 'image/png', data: big }, { as: 'visitor' });
    expect(over).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } });
    // Over the limit without one (chunked): cut off at the limit.
    const form = new FormData();
    form.append('file', new Blob([big], { type: 'image/png' }), 'big.png');
    const encoded = new Response(form);
    const chunked = await fetch(`${t.url}/api/attachments?as=visitor`, {
      method: 'POST',
      headers: { cookie, 'content-type': encoded.headers.get('content-type')! },
      body: encoded.body,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as Uploaded['body']).error?.code).toBe('too_large');

    // Types are recognised from the bytes: SVG, HTML and a PNG that is not one are refused.
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    for (const f of [
      { name: 'x.svg', type: 'image/svg+xml', data: svg },
      { name: 'x.html', type: 'text/html', data: Buffer.from('<script>alert(1)</script>') },
      { name: 'x.png', type: 'image/png', data: Buffer.from('<html><script>alert(1)</script></html>') },
      { name: 'x.exe', type: 'application/octet-stream', data: Buffer.from('MZ\u0090\u0000\u0003') },
      { name: 'empty.txt', type: 'text/plain', data: Buffer.alloc(0) },
    ]) {
      expect(await upload(t.url, cookie, f, { as: 'visitor' }), f.name).toMatchObject({ status: 415, body: { error: { code: 'unsupported_type' } } });
    }
    // The client's type is not trusted: a PNG called text is stored as the PNG it is.
    expect((await upload(t.url, cookie, { name: 'a.txt', type: 'text/plain', data: PNG }, { as: 'visitor' })).body.attachment?.type).toBe('image/png');

    // One field named `file`; multipart only; a session; an allowed origin.
    expect((await upload(t.url, cookie, { name: 'a.png', type: 'image/png', data: PNG }, { as: 'visitor', field: 'upload' })).status).toBe(400);
    const json = await t.http('/api/attachments?as=visitor', { method: 'POST', cookie, json: { file: 'x' } });
    expect(json.status).toBe(400);
    expect((await upload(t.url, undefined, { name: 'a.png', type: 'image/png', data: PNG })).status).toBe(401);
    expect((await upload(t.url, cookie, { name: 'a.png', type: 'image/png', data: PNG }, { as: 'visitor', origin: 'https://evil.example' })).status).toBe(403);
    expect((await upload(t.url, cookie, { name: 'a.png', type: 'image/png', data: PNG }, { as: 'visitor', origin: 'https://shop.example' })).status).toBe(201);
    // An agent's upload from another site is refused (CSRF).
    const { cookie: agentCookie } = await t.login('carol@example.com');
    expect((await upload(t.url, agentCookie, { name: 'a.png', type: 'image/png', data: PNG }, { origin: 'https://shop.example' })).status).toBe(403);
  });

  it('[ATT3] uploads are limited per address and unsent uploads per person', async () => {
    const t = await startApp({ env: { UPLOAD_RATE_LIMIT: '3' } });
    const { cookie } = await t.visitorSession();
    const file = { name: 'a.png', type: 'image/png', data: PNG };
    for (let i = 0; i < 3; i++) expect((await upload(t.url, cookie, file, { as: 'visitor' })).status).toBe(201);
    expect(await upload(t.url, cookie, file, { as: 'visitor' })).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    // Agents are not counted per address, but no one keeps more than 20 unsent uploads.
    const { cookie: agentCookie } = await t.login('dave@example.com');
    for (let i = 0; i < 20; i++) expect((await upload(t.url, agentCookie, file)).status).toBe(201);
    expect(await upload(t.url, agentCookie, file)).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(await t.store.pruneAttachments(Date.now() + 1)).toBe(23);
  });

  it('[ATT4] file names are cleaned for display and encoded for Content-Disposition (RFC 6266/5987)', () => {
    expect(cleanFileName('C:\\Users\\me\\..\\secret\\report.pdf', 'application/pdf')).toBe('report.pdf');
    expect(cleanFileName('../../etc/passwd', 'text/plain')).toBe('passwd');
    expect(cleanFileName('inv\u202Egpj.exe', 'image/png')).toBe('invgpj.exe');
    expect(cleanFileName('a\u0000b\u0007c\n  d.txt', 'text/plain')).toBe('abc d.txt');
    expect(cleanFileName('<img src=x onerror=alert(1)>.png', 'image/png')).toBe('<img src=x onerror=alert(1)>.png');
    expect(cleanFileName('   ', 'image/jpeg')).toBe('file.jpg');
    expect(cleanFileName('..', 'image/gif')).toBe('file.gif');
    const long = cleanFileName(`${'a'.repeat(500)}.png`, 'image/png');
    expect([...long]).toHaveLength(200);
    expect(long.endsWith('.png')).toBe(true);
    expect(contentDisposition('attachment', 'résumé "final".txt')).toBe(
      `attachment; filename="r_sum_ _final_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt`,
    );
    expect(contentDisposition('inline', "it's (1)*.png")).toBe(`inline; filename="it's (1)*.png"; filename*=UTF-8''it%27s%20%281%29%2A.png`);
  });
});
