// [EMBED] The loader ↔ chat frame messages (client/widget/embed-protocol.ts):
// only well-formed messages get through, bounded, whatever a host page posts.

import { describe, expect, it } from 'vitest';
import { parseToChat, parseToHost } from '../../client/widget/embed-protocol.ts';

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
});
