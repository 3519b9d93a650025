// [EMBED] The loader ↔ chat frame messages (client/widget/embed-protocol.ts):
// only well-formed messages get through, bounded, whatever a host page posts.

import { describe, expect, it } from 'vitest';
import { cleanAttributes, parseToChat, parseToHost } from '../../client/widget/embed-protocol.ts';

describe('[EMBED] embed protocol', () => {
  it('[EMBED1] the chat frame accepts init and open, with the page address bounded', () => {
    expect(parseToChat({ type: 'parley:open', open: true })).toEqual({ type: 'parley:open', open: true });
    expect(parseToChat({ type: 'parley:init', open: false, url: 'https://shop.example.com/', title: 'Shop' })).toEqual({
      type: 'parley:init',
      open: false,
      url: 'https://shop.example.com/',
      title: 'Shop',
    });
    const long = parseToChat({ type: 'parley:init', open: true, url: `https://x.example/${'a'.repeat(10_000)}`, title: 't'.repeat(10_000) });
    expect(long?.type === 'parley:init' && [long.url.length, long.title.length]).toEqual([2048, 300]);
    expect(parseToChat({ type: 'parley:init', open: true, url: 'https://x.example/', title: 42 })).toMatchObject({ title: '' });
  });

  it('[EMBED2] anything else is ignored', () => {
    for (const junk of [null, undefined, 'parley:open', 7, [], {}, { type: 'parley:open' }, { type: 'parley:open', open: 'yes' }, { type: 'parley:init', open: true }, { type: 'parley:unread', count: 3 }]) {
      expect(parseToChat(junk), JSON.stringify(junk)).toBeNull();
    }
    for (const junk of [null, {}, { type: 'parley:unread' }, { type: 'parley:unread', count: '3' }, { type: 'parley:unread', count: Number.NaN }, { type: 'parley:open', open: true }]) {
      expect(parseToHost(junk), JSON.stringify(junk)).toBeNull();
    }
  });

  it('[EMBED3] the host page gets close and a whole, non-negative unread count', () => {
    expect(parseToHost({ type: 'parley:close' })).toEqual({ type: 'parley:close' });
    expect(parseToHost({ type: 'parley:unread', count: 2.7 })).toEqual({ type: 'parley:unread', count: 2 });
    expect(parseToHost({ type: 'parley:unread', count: -5 })).toEqual({ type: 'parley:unread', count: 0 });
  });

  it('[EMBED4] the chat tells the host page its language: a bounded tag and a direction, nothing else', () => {
    expect(parseToHost({ type: 'parley:ready', locale: 'ar', dir: 'rtl' })).toEqual({ type: 'parley:ready', locale: 'ar', dir: 'rtl' });
    expect(parseToHost({ type: 'parley:ready', locale: 'zh-CN', dir: 'ltr', extra: 1 })).toEqual({ type: 'parley:ready', locale: 'zh-CN', dir: 'ltr' });
    for (const junk of [
      { type: 'parley:ready' },
      { type: 'parley:ready', locale: 'ar' },
      { type: 'parley:ready', locale: 'ar', dir: 'up' },
      { type: 'parley:ready', locale: 42, dir: 'ltr' },
      { type: 'parley:ready', locale: 'x'.repeat(36), dir: 'ltr' },
    ]) {
      expect(parseToHost(junk), JSON.stringify(junk)).toBeNull();
    }
  });

  it('[EMBED5] identify reaches the frame with its four fields only, each a short string', () => {
    const identity = { userId: 'u-1', name: 'Ada', email: 'ada@example.com', hash: 'ab'.repeat(32) };
    expect(parseToChat({ type: 'parley:identify', identity: { ...identity, role: 'admin' } })).toEqual({ type: 'parley:identify', identity });
    expect(parseToChat({ type: 'parley:identify', identity: { userId: 'u', name: null } })).toEqual({ type: 'parley:identify', identity: { userId: 'u' } });
    for (const junk of [{ userId: 7 }, { name: 'x'.repeat(255) }, { hash: ['a'] }, 'u-1', null]) {
      expect(parseToChat({ type: 'parley:identify', identity: junk }), JSON.stringify(junk)).toBeNull();
    }
    expect(parseToChat({ type: 'parley:reset', open: 'whatever' })).toEqual({ type: 'parley:reset' });
  });

  it('[EMBED6] attributes are bounded: 30 keys of [A-Za-z0-9_.-]{1,40}, strings ≤ 500, finite numbers, booleans', () => {
    const ok = { plan: 'pro', seats: 3, 'trial.active': true };
    expect(parseToChat({ type: 'parley:attributes', attributes: ok })).toEqual({ type: 'parley:attributes', attributes: ok });
    expect(cleanAttributes(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])))).not.toBeNull();
    for (const junk of [
      Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])),
      { plan: 'x'.repeat(501) },
      { ['k'.repeat(41)]: 1 },
      { 'a b': 1 },
      { '': 1 },
      { n: Number.POSITIVE_INFINITY },
      { o: { nested: 1 } },
      { l: [1] },
      { z: null },
      [1, 2],
    ]) {
      expect(parseToChat({ type: 'parley:attributes', attributes: junk }), JSON.stringify(junk).slice(0, 60)).toBeNull();
    }
  });

  it('[EMBED7] the host page hears new messages: who wrote them and the text, bounded', () => {
    expect(parseToHost({ type: 'parley:message', from: 'agent', body: 'Hi!' })).toEqual({ type: 'parley:message', from: 'agent', body: 'Hi!' });
    expect((parseToHost({ type: 'parley:message', from: 'visitor', body: 'x'.repeat(10_000) }) as { body: string }).body).toHaveLength(4000);
    for (const junk of [{ type: 'parley:message', from: 'admin', body: 'x' }, { type: 'parley:message', from: 'agent' }, { type: 'parley:identify', identity: {} }]) {
      expect(parseToHost(junk), JSON.stringify(junk)).toBeNull();
    }
  });
});
