// `sessionStorage` for simulated browser tabs in one Node process. A browser gives each tab its
// own, which survives a reload of that tab; here each tab holds a TabStorage and runs its code
// inside inTab(), and the global `sessionStorage` answers from the storage of the tab whose code
// is running (AsyncLocalStorage follows timers, promises and the tab's sockets). Whatever the
// client code keeps there (an outbox persisted across reloads) survives the simulated reload.

import { AsyncLocalStorage } from 'node:async_hooks';

export class TabStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(String(key)) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(String(key), String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(String(key));
  }
  clear(): void {
    this.#items.clear();
  }
}

const current = new AsyncLocalStorage<TabStorage>();
/** Code that touched sessionStorage outside any tab: the suite reports it (it would share one storage). */
let unscoped = 0;
const outside = new TabStorage();

function active(): TabStorage {
  const tab = current.getStore();
  if (tab) return tab;
  unscoped++;
  return outside;
}

/** Installs the global once; a no-op where a real sessionStorage exists. */
export function installSessionStorage(): void {
  if ('sessionStorage' in globalThis) return;
  const proxy: Storage = {
    get length() {
      return active().length;
    },
    key: (i) => active().key(i),
    getItem: (k) => active().getItem(k),
    setItem: (k, v) => active().setItem(k, v),
    removeItem: (k) => active().removeItem(k),
    clear: () => active().clear(),
  };
  Object.defineProperty(globalThis, 'sessionStorage', { value: proxy, configurable: true });
}

export function inTab<T>(storage: TabStorage, fn: () => T): T {
  return current.run(storage, fn);
}

/** How often sessionStorage was used outside any tab since the process started. */
export function unscopedStorageUses(): number {
  return unscoped;
}
