// [SEC-DEPS] The dependency policy: no copy of a package below its security fix in the lockfile.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockfileViolations } from '../scripts/check-dependencies.ts';

describe('[SEC-DEPS] dependency policy', () => {
  it('[SEC-DEPS1] finds every copy below its minimum, nested ones included, and nothing else', () => {
    const lock = {
      packages: {
        '': { version: '0.1.0' },
        'node_modules/ws': { version: '8.21.3' },
        'node_modules/engine.io': { version: '6.6.13' },
        'node_modules/engine.io/node_modules/ws': { version: '8.23.0' },
        'node_modules/socket.io-adapter/node_modules/ws': { version: '7.5.10' },
        'node_modules/cookie': { version: '0.6.0' },
        'node_modules/path-to-regexp': { version: '8.4.2' },
        'node_modules/left-pad': { version: '0.0.1' },
      },
    };
    expect(lockfileViolations(lock)).toEqual([
      'node_modules/ws@8.21.3 < 8.23.0',
      'node_modules/socket.io-adapter/node_modules/ws@7.5.10 < 8.23.0',
      'node_modules/cookie@0.6.0 < 0.7.0',
    ]);
  });

  it('[SEC-DEPS2] the project lockfile satisfies the policy', () => {
    const lock = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package-lock.json'), 'utf8'));
    expect(lockfileViolations(lock)).toEqual([]);
  });
});
