// [SEC8] What is acked is what is stored: ill-formed Unicode (a lone surrogate) is refused, not
// acked verbatim and stored as U+FFFD.

import { useArena } from './arena.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VisitorClient, connect, ok, request } from '../helpers/clients.ts';

describe('[SEC8] well-formed text only', () => {
  let visitor: VisitorClient;
  const arena = useArena();
  beforeAll(async () => {
    const { cookie } = await arena.target.visitorSession({ address: '10.0.8.1' });
    visitor = await connect(arena.target.url, '/visitor', { transport: 'websocket', cookie: cookie! });
  });
  afterAll(async () => {
    visitor?.close();
  });

  it('[SEC8-1] a body, a name and a page title with a lone surrogate are refused', async () => {
    for (const body of ['a\ud800b', '\udfff', 'x'.repeat(10) + '\ud83d']) {
      expect(await request(visitor, 'message:send', { clientId: `bad-${body.length}`, body })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(await request(visitor, 'profile:update', { name: 'Ann\ud800' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await request(visitor, 'message:send', { clientId: 'ok\udc00', body: 'hi' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const history = await ok(visitor, 'history:get', {});
    expect(history.messages).toHaveLength(0);
  });

  it('[SEC8-2] well-formed text outside the BMP is acked and stored exactly as sent', async () => {
    const body = 'emoji 😀, math 𝔸, CJK 𠀋, combining é';
    const { message } = await ok(visitor, 'message:send', { clientId: 'astral', body });
    expect(message.body).toBe(body);
    const history = await ok(visitor, 'history:get', {});
    expect(history.messages.map((m) => m.body)).toEqual([body]);
  });

  it('[SEC8-4] a body, a name or a clientId with U+0000 (which PostgreSQL cannot store) is refused on every engine, and nothing is stored', async () => {
    const before = (await ok(visitor, 'history:get', {})).messages.length;
    expect(await request(visitor, 'message:send', { clientId: 'nul-1', body: 'a\u0000b' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await request(visitor, 'message:send', { clientId: 'nul\u0000', body: 'hi' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await request(visitor, 'profile:update', { name: 'Ann\u0000' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect((await ok(visitor, 'history:get', {})).messages).toHaveLength(before);
  });

  it('[SEC8-3] over HTTP too: a visitor name with a lone surrogate is refused with 400', async () => {
    const res = await arena.target.visitorSession({ address: '10.0.8.2', body: { name: 'Bob\ud800' } });
    expect(res.status).toBe(400);
  });
});
