// The page's translator (client/lib/i18n.ts) handed down the component tree:
// the app creates it once from the page's embedded catalogue and provides it;
// components read it with useI18n(). No module-level translator.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { I18n } from '../lib/i18n.ts';

export const I18nContext = createContext<I18n<string> | null>(null);

/** The translator of the page; `K` is the page's key set (ConsoleKey, AdminKey, or CommonKey for shared parts). */
export function useI18n<K extends string>(): I18n<K> {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n() outside an I18nContext provider');
  return i18n as I18n<K>;
}
