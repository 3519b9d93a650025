// Flags in localStorage, which a framed third-party page may be refused:
// then nothing is remembered and nothing breaks.

export function remembered(key: string): boolean {
  try {
    return localStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

export function remember(key: string): void {
  try {
    localStorage.setItem(key, '1');
  } catch {
    /* not remembered */
  }
}
