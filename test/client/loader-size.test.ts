// [EMBED8] The loader every page of a host site downloads (widget.js, with window.Parley) stays
// under 5 KB gzipped: measured on the real production build.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.ts';

describe('[EMBED] loader size', () => {
  it('[EMBED8] the built widget.js is under 5 KB gzipped', async () => {
    const { sizes } = await buildClient();
    const built = readFileSync(join(import.meta.dirname, '../../dist/widget.js'));
    const gzipped = gzipSync(built, { level: 9 }).byteLength;
    expect(sizes.find((s) => s.file === 'widget.js')?.gzip).toBe(gzipped);
    expect(gzipped).toBeGreaterThan(1000); // the real loader, not an empty file
    expect(gzipped).toBeLessThanOrEqual(5 * 1024);
    // The public API is in it.
    expect(built.toString('utf8')).toContain('unreadCount');
  });
});
