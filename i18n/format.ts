// Messages in the catalogues use a subset of ICU MessageFormat, formatted with
// the platform's Intl APIs (no library: the widget's panel must stay small):
//
//   {name}                              the value, as text (numbers localised)
//   {count, number}                     a localised number
//   {count, plural, one {# message} other {# messages}}
//                                       a plural (Intl.PluralRules: zero one two few many other,
//                                       or =N for an exact value); # is the localised number
//   {role, select, admin {…} other {…}} a choice by value, `other` required
//
// No apostrophe quoting: a literal { or } cannot appear in a message. Parsing is
// one pass over the text (no regular expression), and each message is parsed
// once per translator.

export type Values = Record<string, string | number>;

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'arg'; name: string }
  | { kind: 'number'; name: string }
  | { kind: 'hash' }
  | { kind: 'plural'; name: string; branches: Map<string, Part[]> }
  | { kind: 'select'; name: string; branches: Map<string, Part[]> };

export class MessageSyntaxError extends Error {}

/** Parses one message; throws MessageSyntaxError with the position on anything outside the subset. */
export function parseMessage(source: string): Part[] {
  let i = 0;
  const fail = (what: string): never => {
    throw new MessageSyntaxError(`${what} at ${i} in "${source}"`);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const word = (): string => {
    skipSpace();
    const start = i;
    while (i < source.length && !/[\s,{}]/.test(source[i])) i++;
    if (i === start) fail('expected a name');
    return source.slice(start, i);
  };
  const expect = (ch: string) => {
    skipSpace();
    if (source[i] !== ch) fail(`expected "${ch}"`);
    i++;
  };
  // inPlural: # stands for the number; depth > 0: a } ends the branch.
  const parts = (inPlural: boolean, depth: number): Part[] => {
    const out: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ kind: 'text', text });
      text = '';
    };
    while (i < source.length) {
      const ch = source[i];
      if (ch === '}') {
        if (depth === 0) fail('unmatched "}"');
        break;
      }
      if (ch === '#' && inPlural) {
        flush();
        out.push({ kind: 'hash' });
        i++;
      } else if (ch === '{') {
        flush();
        i++;
        out.push(argument(inPlural, depth));
      } else {
        text += ch;
        i++;
      }
    }
    flush();
    return out;
  };
  const argument = (inPlural: boolean, depth: number): Part => {
    const name = word();
    skipSpace();
    if (source[i] === '}') {
      i++;
      return { kind: 'arg', name };
    }
    expect(',');
    const type = word();
    skipSpace();
    if (type === 'number') {
      expect('}');
      return { kind: 'number', name };
    }
    if (type !== 'plural' && type !== 'select') fail(`unknown argument type "${type}"`);
    expect(',');
    const branches = new Map<string, Part[]>();
    for (;;) {
      skipSpace();
      if (source[i] === '}') {
        i++;
        break;
      }
      if (i >= source.length) fail('unterminated argument');
      const key = word();
      expect('{');
      branches.set(key, parts(type === 'plural' || inPlural, depth + 1));
      expect('}');
    }
    if (!branches.has('other')) fail(`${type} without an "other" branch`);
    return type === 'plural' ? { kind: 'plural', name, branches } : { kind: 'select', name, branches };
  };
  const result = parts(false, 0);
  if (i < source.length) fail('unexpected "}"');
  return result;
}

/** What a message expects: argument names, and the branch keys of each plural/select (for the catalogue check). */
export interface MessageShape {
  args: Set<string>;
  plurals: Array<{ name: string; keys: string[] }>;
}

export function shapeOf(source: string): MessageShape {
  const shape: MessageShape = { args: new Set(), plurals: [] };
  const walk = (parts: Part[]) => {
    for (const p of parts) {
      if (p.kind === 'arg' || p.kind === 'number') shape.args.add(p.name);
      if (p.kind === 'plural' || p.kind === 'select') {
        shape.args.add(p.name);
        if (p.kind === 'plural') shape.plurals.push({ name: p.name, keys: [...p.branches.keys()] });
        for (const b of p.branches.values()) walk(b);
      }
    }
  };
  walk(parseMessage(source));
  return shape;
}

export interface Formatter {
  readonly locale: string;
  /** The message with its values filled in; a missing value shows as {name}, so a bug is visible, not silent. */
  format(source: string, values?: Values): string;
  number(n: number): string;
}

export function createFormatter(locale: string): Formatter {
  const numbers = new Intl.NumberFormat(locale);
  const plurals = new Intl.PluralRules(locale);
  const parsed = new Map<string, Part[]>();
  const num = (v: string | number | undefined) => (typeof v === 'number' ? numbers.format(v) : String(v));
  const render = (parts: Part[], values: Values, count: number | undefined): string => {
    let out = '';
    for (const p of parts) {
      switch (p.kind) {
        case 'text':
          out += p.text;
          break;
        case 'hash':
          out += count === undefined ? '#' : numbers.format(count);
          break;
        case 'arg':
        case 'number':
          out += p.name in values ? num(values[p.name]) : `{${p.name}}`;
          break;
        case 'plural': {
          const n = Number(values[p.name]);
          const branch = p.branches.get(`=${n}`) ?? p.branches.get(plurals.select(n)) ?? p.branches.get('other')!;
          out += render(branch, values, n);
          break;
        }
        case 'select': {
          const branch = p.branches.get(String(values[p.name])) ?? p.branches.get('other')!;
          out += render(branch, values, count);
          break;
        }
      }
    }
    return out;
  };
  return {
    locale,
    format(source, values = {}) {
      let parts = parsed.get(source);
      if (!parts) {
        try {
          parts = parseMessage(source);
        } catch {
          parts = [{ kind: 'text', text: source }];
        }
        parsed.set(source, parts);
      }
      return render(parts, values, undefined);
    },
    number: (n) => numbers.format(n),
  };
}
