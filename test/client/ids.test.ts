// The widget's and console's clientIds: UUID version 7 layout, unique, and
// ordered by creation time (what keeps the server's dedupe index cheap).

import { describe, expect, it } from 'vitest';
import { newClientId } from '../../client/lib/ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newClientId', () => {
  it('[IDS1] is a version 7 UUID carrying the time, unique over many calls', () => {
    const ids = Array.from({ length: 5000 }, () => newClientId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    expect(Number.parseInt(newClientId(at).replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('[IDS2] sorts by creation time across milliseconds', () => {
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_999, 1_800_000_000_000];
    const ids = times.map((t) => newClientId(t));
    expect([...ids].sort()).toEqual(ids);
  });
});
