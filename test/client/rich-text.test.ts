// [FMT] Message formatting (client/lib/rich-text.ts): what becomes a link, bold, italic or code,
// and what hostile text stays: text. Rendering to DOM is checked in Chromium (test/browser/notes.test.ts).

import { describe, expect, it } from 'vitest';
import { type Inline, tokenize } from '../../client/lib/rich-text.ts';

/** The tokens written back as text, delimiters included: must give the body back exactly. */
function serialize(tokens: Inline[]): string {
  return tokens
    .map((t) => {
      switch (t.kind) {
        case 'text':
        case 'link':
          return t.text;
        case 'code':
          return `\`${t.text}\``;
        case 'strong':
          return `*${serialize(t.children)}*`;
        case 'em':
          return `_${serialize(t.children)}_`;
      }
    })
    .join('');
}

function links(tokens: Inline[]): string[] {
  return tokens.flatMap((t) => (t.kind === 'link' ? [t.href] : t.kind === 'strong' || t.kind === 'em' ? links(t.children) : []));
}

const text = (s: string): Inline[] => [{ kind: 'text', text: s }];

describe('[FMT] tokenize', () => {
  it('[FMT1] links: http, https and mailto only, the address itself as href, trailing punctuation left out', () => {
    expect(tokenize('see https://example.com/a?b=1#c.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c' },
      { kind: 'text', text: '.' },
    ]);
    expect(links(tokenize('HTTP://Example.com and mailto:ada@example.com, (http://x.org/wiki/A_(b)) end'))).toEqual([
      'HTTP://Example.com',
      'mailto:ada@example.com',
      'http://x.org/wiki/A_(b)',
    ]);
    for (const hostile of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '[click](javascript:alert(1))',
      'http://',
      'https:// spaced',
      'mailto:',
      'mailto:nobody',
      'file:///etc/passwd',
      'xhttp://example.com',
      '//example.com/protocol-relative',
    ]) {
      expect(links(tokenize(hostile)), hostile).toEqual([]);
    }
    // An address stops at what cannot be in one: markup after it stays text.
    expect(tokenize('http://x.com/"><img src=x onerror=alert(1)>')).toEqual([
      { kind: 'link', text: 'http://x.com/', href: 'http://x.com/' },
      { kind: 'text', text: '"><img src=x onerror=alert(1)>' },
    ]);
  });

  it('[FMT2] *bold*, _italic_ and `code`, one line at a time; delimiters inside words stay text', () => {
    expect(tokenize('a *bold* and _it_ and `x *y*`')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'strong', children: text('bold') },
      { kind: 'text', text: ' and ' },
      { kind: 'em', children: text('it') },
      { kind: 'text', text: ' and ' },
      { kind: 'code', text: 'x *y*' },
    ]);
    expect(tokenize('*_both_*')).toEqual([{ kind: 'strong', children: [{ kind: 'em', children: text('both') }] }]);
    expect(tokenize('*see https://x.org/a*')).toEqual([{ kind: 'strong', children: [{ kind: 'text', text: 'see ' }, { kind: 'link', text: 'https://x.org/a', href: 'https://x.org/a' }] }]);
    for (const plain of ['snake_case_name', '2*3*4', '*not\nbold*', '* spaced *', '*unclosed', '**', '``', '`a\nb`', 'a_b_', '_ _', 'https://x.org/a_b_c']) {
      expect(tokenize(plain).some((t) => t.kind === 'strong' || t.kind === 'em' || t.kind === 'code'), plain).toBe(false);
    }
  });

  it('[FMT3] hostile markup is text, and every body comes back whole from its tokens', () => {
    for (const hostile of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '&lt;b&gt;', '<a href="javascript:alert(1)">x</a>', '\u202eevil\u202c', '<svg/onload=alert(1)>']) {
      expect(tokenize(hostile)).toEqual(text(hostile));
    }
    // Random bodies from the characters the scanner cares about: nothing lost, nothing invented, only safe links.
    const pieces = ['*', '_', '`', 'http://', 'https://a.b', 'mailto:', 'x@y.z', 'a', ' ', '\n', '<', '"', '(', ')', '.', 'javascript:', 'é', '\u00a0'];
    let seed = 17;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 2000; round++) {
      const body = Array.from({ length: 1 + rand(30) }, () => pieces[rand(pieces.length)]).join('');
      const tokens = tokenize(body);
      expect(serialize(tokens), JSON.stringify(body)).toBe(body);
      for (const href of links(tokens)) expect(new URL(href).protocol, href).toMatch(/^(https?|mailto):$/);
    }
  });

  it('[FMT4] stays linear on inputs built to make a backtracking pattern explode', () => {
    // Each is 100,000+ characters: a quadratic scan would take minutes here (the test timeout is 30 s).
    const inputs = ['*a'.repeat(50_000), '_'.repeat(100_000), '`'.repeat(100_000), 'http://'.repeat(20_000), 'http://['.repeat(20_000), '*_`'.repeat(40_000), `https://x.org/${')'.repeat(100_000)}`, 'a@'.repeat(50_000)];
    for (const body of inputs) expect(serialize(tokenize(body))).toBe(body);
  });
});
