// [NOTE-RULES] The rules of private notes that need no server: whom `@name`s name, and which notes
// go with a history page (server/core/notes.ts). The whole path is in test/realtime/notes.test.ts.

import { describe, expect, it } from 'vitest';
import { findMentions, MAX_MENTIONS, notesWindow } from '../../server/core/notes.ts';
import type { MessageRecord } from '../../server/store/store.ts';

const team = [
  { id: 'ada', name: 'Ada Lovelace' },
  { id: 'ada2', name: 'Ada' },
  { id: 'grace', name: 'Grace Hopper' },
  { id: 'grace2', name: 'Grace Kelly' },
  { id: 'linus', name: 'Linus Torvalds' },
];
const ids = (body: string) => findMentions(body, team).map((m) => m.id);

describe('[NOTE-RULES] mentions', () => {
  it('[NOTE-RULES1] full names (longest first, any case), a first name only one agent has, never inside a word', () => {
    expect(ids('@Ada Lovelace, see this')).toEqual(['ada']);
    expect(ids('@ada please')).toEqual(['ada2']); // "Ada" is a whole name too
    expect(ids('cc @LINUS')).toEqual(['linus']); // a first name nobody else has
    expect(ids('@Grace what do you think?')).toEqual([]); // two Graces: no guess
    expect(ids('@grace hopper and @Grace Kelly')).toEqual(['grace', 'grace2']);
    expect(ids('mail ada@example.com or x@Linus')).toEqual([]);
    expect(ids('@Adam is not Ada')).toEqual([]);
    expect(ids('(@Linus) and @Linus again')).toEqual(['linus']);
    expect(findMentions('@Ada', [{ id: 'x', name: '' }])).toEqual([]);
  });

  it('[NOTE-RULES2] bounded: at most MAX_MENTIONS agents, and a body of @ signs costs a bounded scan', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `a${i}`, name: `Agent${i}` }));
    expect(findMentions(many.map((a) => `@${a.name}`).join(' '), many)).toHaveLength(MAX_MENTIONS);
    expect(findMentions('@'.repeat(100_000), team)).toEqual([]);
    expect(findMentions(`${'@x '.repeat(60)}@Linus`, team)).toEqual([]); // past the @ signs looked at
  });
});

const page = (...seqs: number[]) => seqs.map((seq) => ({ seq }) as MessageRecord);

describe('[NOTE-RULES] which notes go with a history page', () => {
  it('[NOTE-RULES3] from the place before the first message to the last; everything after when the page is the newest', () => {
    expect(notesWindow({}, page(3, 4, 5), 5)).toEqual({ fromSeq: 2, toSeq: null });
    expect(notesWindow({ beforeSeq: 3 }, page(1, 2), 5)).toEqual({ fromSeq: 0, toSeq: 2 });
    expect(notesWindow({ afterSeq: 2, limit: 1 }, page(3), 5)).toEqual({ fromSeq: 2, toSeq: 3 });
    expect(notesWindow({ afterSeq: 4 }, page(5), 5)).toEqual({ fromSeq: 4, toSeq: null });
    // No messages: after afterSeq, before beforeSeq, or all.
    expect(notesWindow({ afterSeq: 5 }, [], 5)).toEqual({ fromSeq: 5, toSeq: null });
    expect(notesWindow({ beforeSeq: 1 }, [], 5)).toEqual({ fromSeq: 0, toSeq: 0 });
    expect(notesWindow({}, [], 0)).toEqual({ fromSeq: 0, toSeq: null });
  });
});
