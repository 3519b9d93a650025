// [SEC3] The email check is a linear scan that accepts exactly what the old pattern accepted.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmailAddress } from '../../server/edge/schemas.ts';

// The pattern the scan replaced: right on short input, quadratic on `a@` + many dots.
const OLD = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^[^\s@]+@localhost$/;

describe('[SEC3] email addresses', () => {
  it('[SEC3-3] accepts and refuses what the old pattern did, on every short string', () => {
    const chars = fc.constantFrom('a', 'b', '@', '.', ' ', '\t', '\u00a0', '\u2028', 'é', 'l', 'o', 'c', 'h', 's', 't', '-', '+');
    const candidates = fc.oneof(
      fc.string({ unit: chars, maxLength: 14 }),
      fc.tuple(fc.string({ unit: chars, maxLength: 6 }), fc.constantFrom('@localhost', '@example.com', '@a.b', '@.x', '@x.')).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(candidates, (s) => {
        expect(isEmailAddress(s)).toBe(OLD.test(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('[SEC3-4] refuses the attack shapes and anything over 254 characters', () => {
    expect(isEmailAddress(`a@${'.'.repeat(64_000)}@`)).toBe(false);
    expect(isEmailAddress(`a@${'.'.repeat(64_000)}`)).toBe(false);
    expect(isEmailAddress(`${'a'.repeat(250)}@b.co`)).toBe(false);
    expect(isEmailAddress('jane@example.com')).toBe(true);
    expect(isEmailAddress('admin@localhost')).toBe(true);
  });
});
