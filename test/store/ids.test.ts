// Record ids (server/store/ids.ts): random ones for rare rows, and the
// time-ordered message ids of a generator each store owns.

import { describe, expect, it } from 'vitest';
import { createOrderedIds, newId } from '../../server/store/ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('record ids', () => {
  it('[IDS2] newId is a random UUID, unique', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('[IDS3] ordered ids are version 7 UUIDs, unique, carrying the time, sorted by it', () => {
    const ids = createOrderedIds();
    const many = Array.from({ length: 20_000 }, () => ids.next());
    for (const id of many.slice(0, 2000)) expect(id).toMatch(UUID_V7);
    expect(new Set(many).size).toBe(many.length);
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000];
    const timed = times.map((t) => ids.next(t));
    expect([...timed].sort()).toEqual(timed);
    expect(Number.parseInt(timed[0].replace(/-/g, '').slice(0, 12), 16)).toBe(times[0]);
  });

  it('[IDS3] each generator has its own state, and its randomness can be injected', () => {
    let fills = 0;
    const zeros = createOrderedIds({
      fill: (buffer) => {
        fills++;
        buffer.fill(0);
      },
    });
    const other = createOrderedIds();
    const t = 1_700_000_000_000;
    expect(zeros.next(t)).toBe('018bcfe5-6800-7000-8000-000000000000');
    expect(other.next(t)).toMatch(UUID_V7);
    expect(other.next(t + 1)).toMatch(/^018bcfe5-6801-7/);
    // The time part of one generator is not the other's.
    expect(zeros.next(t)).toBe('018bcfe5-6800-7000-8000-000000000000');
    // 512 ids per pool refill.
    for (let i = 0; i < 1022; i++) zeros.next(t);
    expect(fills).toBe(2);
  });

  it('[IDS3] without a time given, the time part is the injected clock\'s', () => {
    const ids = createOrderedIds({ clock: { now: () => 1_700_000_000_000 } });
    expect(ids.next()).toMatch(/^018bcfe5-6800-7/);
  });
});
