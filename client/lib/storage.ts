// Flags in localStorage, and the tab's sessionStorage, either of which a framed
// third-party page may be refused: then nothing is remembered and nothing breaks.

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

/** This tab's sessionStorage, or null where the page may not use it. */
export function tabStorage(): Storage | null {
  try {
    const storage = sessionStorage;
    storage.getItem('parley:probe');
    return storage;
  } catch {
    return null;
  }
}
