// A file's size as people read it, in the page's language (no DOM: the Node tests use it too).

/** "2.4 MB", in the page's language. */
export function fileSize(bytes: number, locale: string): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : bytes >= 1024 ? [bytes / 1024, 'kilobyte'] : [bytes, 'byte'];
  // Bytes in words ("15 bytes": the short form is "15 byte" in English); kB and MB short.
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: unit === 'byte' ? 'long' : 'short', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
}
