// [UA] [CANNED-TEXT] The pure parts of the agent tools: browser and OS from a User-Agent (linear,
// bounded, no regular expressions), the composer's `/` trigger, the filter and the placeholders.

import { describe, expect, it } from 'vitest';
import { parseUserAgent } from '../../server/core/user-agent.ts';
import { filterCanned, fillPlaceholders, slashQuery } from '../../client/agent/canned-text.ts';
import type { CannedReply } from '../../server/protocol/agent-tools.ts';

describe('[UA] User-Agent parsing', () => {
  it('[UA1] common browsers and systems, most specific product first', () => {
    const cases: Array<[string, string | null, string | null]> = [
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Edge 126', 'Windows 10/11'],
      ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari 17', 'macOS 10.15'],
      ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari 17', 'iOS 17.5'],
      ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', 'Chrome 126', 'Android 14'],
      ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', 'Firefox 127', 'Linux'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0', 'Opera 111', 'Windows 10/11'],
      ['curl/8.5.0', null, null],
      ['', null, null],
    ];
    for (const [ua, browser, os] of cases) expect(parseUserAgent(ua), ua).toEqual({ browser, os });
  });

  it('[UA2] hostile headers: huge and repetitive input is cut to 512 characters before parsing', () => {
    const huge = `Mozilla/5.0 (${'Windows NT '.repeat(100_000)}) Chrome/${'9'.repeat(100_000)}`;
    const parsed = parseUserAgent(huge);
    // Correctness, not speed: the version is cut to a bounded number of digits, the cut header still says Windows.
    expect(parsed.os).toBe('Windows');
    expect(parsed.browser).toBeNull();
    expect(parseUserAgent(`Chrome/${'9'.repeat(1000)}`).browser).toBe('Chrome 999999');
  });
});

const reply = (shortcut: string, body: string): CannedReply => ({ id: shortcut, scope: 'team', ownerId: null, shortcut, body, createdAt: '', updatedAt: '' });

describe('[CANNED-TEXT] the composer’s canned replies', () => {
  it('[CANNED-TEXT1] `/` opens at the start or after white space only, up to the caret', () => {
    expect(slashQuery('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQuery('/ref', 4)).toEqual({ start: 0, query: 'ref' });
    expect(slashQuery('Thanks! /ref', 12)).toEqual({ start: 8, query: 'ref' });
    expect(slashQuery('line\n/re', 8)).toEqual({ start: 5, query: 're' });
    expect(slashQuery('a/ref', 5)).toBeNull();
    expect(slashQuery('https://x', 9)).toBeNull();
    expect(slashQuery('/ref more', 9)).toBeNull();
    expect(slashQuery('no slash', 8)).toBeNull();
  });

  it('[CANNED-TEXT2] filtered by shortcut first, then shortcut or body containing the text', () => {
    const list = [reply('bye', 'Goodbye!'), reply('refund', 'Your money is on its way'), reply('shipping', 'We ship with money-back guarantee')];
    expect(filterCanned(list, '').map((r) => r.shortcut)).toEqual(['bye', 'refund', 'shipping']);
    expect(filterCanned(list, 'RE').map((r) => r.shortcut)).toEqual(['refund']);
    expect(filterCanned(list, 'money').map((r) => r.shortcut)).toEqual(['refund', 'shipping']);
    expect(filterCanned(list, 'ship').map((r) => r.shortcut)).toEqual(['shipping']);
  });

  it('[CANNED-TEXT3] placeholders: names filled in, a default name becomes the fallback, others left alone', () => {
    const ctx = { visitorName: 'Grace', agentName: 'Ada', fallback: 'there' };
    expect(fillPlaceholders('Hi {{visitor.name}}, I am {{ agent.name }}.', ctx)).toBe('Hi Grace, I am Ada.');
    expect(fillPlaceholders('Hi {{visitor.name}}!', { ...ctx, visitorName: 'Visitor 1a2b' })).toBe('Hi there!');
    expect(fillPlaceholders('Hi {{visitor.name}}!', { ...ctx, visitorName: '  ' })).toBe('Hi there!');
    expect(fillPlaceholders('{{unknown}} {{visitor.name', ctx)).toBe('{{unknown}} {{visitor.name');
    // A name that looks like a placeholder is inserted as it is, not expanded again.
    expect(fillPlaceholders('{{visitor.name}}', { ...ctx, visitorName: '{{agent.name}}' })).toBe('{{agent.name}}');
  });
});
