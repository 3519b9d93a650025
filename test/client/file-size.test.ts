// [ATT-SIZE] A file's size as the widget and the console show it, in the page's language.

import { describe, expect, it } from 'vitest';
import { fileSize } from '../../client/lib/file-size.ts';

describe('[ATT-SIZE] file sizes', () => {
  it('[ATT-SIZE1] bytes in words (never "15 byte"), kB and MB short, one decimal below 10', () => {
    expect(fileSize(15, 'en')).toBe('15 bytes');
    expect(fileSize(1, 'en')).toBe('1 byte');
    expect(fileSize(15, 'de')).toBe('15 Byte');
    expect(fileSize(1536, 'en')).toBe('1.5 kB');
    expect(fileSize(20 * 1024, 'en')).toBe('20 kB');
    expect(fileSize(2.4 * 1024 * 1024, 'en')).toBe('2.4 MB');
  });
});
