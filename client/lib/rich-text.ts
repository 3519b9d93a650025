// Message formatting for the widget and the console, from text only: links (http, https and
// mailto), `*bold*`, `_italic_` and `` `code` ``; line breaks stay as typed (messages.css:
// pre-wrap). tokenize() is a single linear scan — no regular expression ever runs over the body.
// No DOM here (unit tests run it in Node); rich-text-dom.ts draws the tokens.

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong' | 'em'; children: Inline[] };

/** Emphasis nests at most this deep (`*_x_*`); deeper delimiters stay text. */
const MAX_DEPTH = 2;
const SCHEMES = ['https://', 'http://', 'mailto:'] as const;
/** Left off the end of a link: sentence punctuation after an address ("see https://x.org."). */
const TRAILING = '.,;:!?\'"*_]}>';

const NONE = -1;

function isSpace(code: number): boolean {
  return code <= 0x20 || code === 0x7f || code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** Letters and digits of any script, and `_`: a delimiter touching one is part of a word. */
function isWordChar(s: string, i: number): boolean {
  if (i < 0 || i >= s.length) return false;
  const c = s.charCodeAt(i);
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  // Outside ASCII: anything that is not space or punctuation counts as a word character.
  return !isSpace(c) && !(c >= 0x2010 && c <= 0x205e) && !(c >= 0x3000 && c <= 0x303f);
}

function isOpener(s: string, i: number, d: string): boolean {
  const after = s.charCodeAt(i + 1);
  return i + 1 < s.length && !isSpace(after) && s[i + 1] !== d && !isWordChar(s, i - 1);
}

function isCloser(s: string, i: number, d: string): boolean {
  return i > 0 && !isSpace(s.charCodeAt(i - 1)) && s[i - 1] !== d && !isWordChar(s, i + 1);
}

/**
 * For each position, the first valid closer of `d` at or after it on the same line (NONE if there
 * is none): one pass from the end, so finding an opener's closer is one array read.
 */
function closers(s: string, d: string, valid: (s: string, i: number, d: string) => boolean): Int32Array {
  const next = new Int32Array(s.length + 1).fill(NONE);
  let found = NONE;
  for (let i = s.length - 1; i >= 0; i--) {
    if (s[i] === '\n') found = NONE;
    else if (s[i] === d && valid(s, i, d)) found = i;
    next[i] = found;
  }
  return next;
}

interface Scan {
  s: string;
  star: Int32Array;
  underscore: Int32Array;
  tick: Int32Array;
}

/** The body as inline tokens, in order; the texts of all tokens joined (delimiters aside) are the body. */
export function tokenize(body: string): Inline[] {
  const scan: Scan = {
    s: body,
    star: closers(body, '*', isCloser),
    underscore: closers(body, '_', isCloser),
    tick: closers(body, '`', () => true),
  };
  return parseRange(scan, 0, body.length, 0);
}

/** Tokens of s[from, to). Each position is visited once per nesting level: O(length × MAX_DEPTH). */
function parseRange(scan: Scan, from: number, to: number, depth: number): Inline[] {
  const { s } = scan;
  const out: Inline[] = [];
  let textStart = from;
  const flush = (end: number) => {
    if (end <= textStart) return;
    const text = s.slice(textStart, end);
    const last = out[out.length - 1];
    if (last?.kind === 'text') last.text += text;
    else out.push({ kind: 'text', text });
  };
  let i = from;
  while (i < to) {
    const c = s[i];
    if (c === '`') {
      const j = scan.tick[i + 1];
      if (j !== NONE && j < to && j > i + 1) {
        flush(i);
        out.push({ kind: 'code', text: s.slice(i + 1, j) });
        i = textStart = j + 1;
        continue;
      }
    } else if ((c === '*' || c === '_') && depth < MAX_DEPTH && isOpener(s, i, c)) {
      const j = (c === '*' ? scan.star : scan.underscore)[i + 1];
      if (j !== NONE && j < to) {
        flush(i);
        out.push({ kind: c === '*' ? 'strong' : 'em', children: parseRange(scan, i + 1, j, depth + 1) });
        i = textStart = j + 1;
        continue;
      }
    } else if ((c === 'h' || c === 'H' || c === 'm' || c === 'M') && !isWordChar(s, i - 1)) {
      const link = linkAt(s, i, to);
      if (link) {
        flush(i);
        // An address that is no valid link stays text, whole: nothing inside it is scanned again.
        out.push(link.href ? { kind: 'link', text: link.href, href: link.href } : { kind: 'text', text: s.slice(i, link.end) });
        i = textStart = link.end;
        continue;
      }
    }
    i++;
  }
  flush(to);
  // Adjacent text tokens (a failed address next to text) become one.
  return out.reduce<Inline[]>((merged, t) => {
    const last = merged[merged.length - 1];
    if (t.kind === 'text' && last?.kind === 'text') last.text += t.text;
    else merged.push(t);
    return merged;
  }, []);
}

/**
 * The web or mail address starting at `i`, if one does: its end, and its href when it is a link
 * we make (http or https with a host; mailto with an address). Null when no scheme starts here.
 */
function linkAt(s: string, i: number, to: number): { end: number; href: string | null } | null {
  const scheme = SCHEMES.find((p) => i + p.length <= to && s.slice(i, i + p.length).toLowerCase() === p);
  if (!scheme) return null;
  let j = i + scheme.length;
  let opens = 0;
  let closes = 0;
  for (; j < to; j++) {
    const code = s.charCodeAt(j);
    if (isSpace(code) || code === 60 /* < */ || code === 34 /* " */ || code === 96 /* ` */) break;
    if (code === 40) opens++;
    else if (code === 41) closes++;
  }
  let end = j;
  const start = i + scheme.length;
  while (end > start) {
    const last = s[end - 1];
    if (last === ')' && closes > opens) closes--;
    else if (!TRAILING.includes(last)) break;
    end--;
  }
  if (end === start) return { end: j, href: null };
  const text = s.slice(i, end);
  return { end, href: isLinkable(text, scheme) ? text : null };
}

function isLinkable(text: string, scheme: (typeof SCHEMES)[number]): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (scheme === 'mailto:') {
    const at = url.pathname.indexOf('@');
    return url.protocol === 'mailto:' && at > 0 && at < url.pathname.length - 1;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
}

/** Builds the tokens as nodes of some kind (DOM here; anything with the same five shapes). */
export interface InlineBuilder<N> {
  text(text: string): N;
  link(href: string, text: string): N;
  code(text: string): N;
  strong(children: N[]): N;
  em(children: N[]): N;
}

export function build<N>(tokens: Inline[], b: InlineBuilder<N>): N[] {
  return tokens.map((t) => {
    switch (t.kind) {
      case 'text':
        return b.text(t.text);
      case 'link':
        return b.link(t.href, t.text);
      case 'code':
        return b.code(t.text);
      case 'strong':
        return b.strong(build(t.children, b));
      case 'em':
        return b.em(build(t.children, b));
    }
  });
}
