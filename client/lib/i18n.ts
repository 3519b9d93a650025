// The page's language, as the server chose it and embedded it in the shell
// (server/http/pages.ts: <script type="application/json" id="parley-i18n">),
// with the formatting that depends on it: messages, numbers, times, waits.
// Only the active language's messages are ever loaded.

import { type Direction, directionOf, negotiate } from '../../i18n/locales.ts';
import { createI18n, type I18n } from './translator.ts';

// The translator itself (and the key types) live in translator.ts, free of the DOM; named here too.
export { createI18n };
export type { AdminKey, CommonKey, ConsoleKey, I18n, LoginKey, WidgetKey } from './translator.ts';

interface Embedded {
  locale: string;
  dir: Direction;
  explicit: boolean;
  messages: Record<string, string>;
}

const EMPTY: Embedded = { locale: 'en', dir: 'ltr', explicit: false, messages: {} };

function embedded(doc: Document): Embedded {
  const el = doc.getElementById('parley-i18n');
  if (!el?.textContent) return EMPTY;
  try {
    return { ...EMPTY, ...(JSON.parse(el.textContent) as Partial<Embedded>) };
  } catch {
    return EMPTY;
  }
}

/** One translator per page: shared code that defaults to the page's language asks often (lengthStatus, per keystroke). */
const perPage = new WeakMap<Document, I18n<string>>();

/** The page's language and messages, as embedded by the server. */
export function pageI18n<K extends string>(doc: Document = document): I18n<K> {
  let i18n = perPage.get(doc);
  if (!i18n) {
    const data = embedded(doc);
    i18n = createI18n<string>(data.locale, data.messages);
    perPage.set(doc, i18n);
  }
  return i18n as I18n<K>;
}

/**
 * Like pageI18n, but when the server chose by Accept-Language (nothing explicit) and the browser's
 * navigator.languages prefers another shipped language, that language's catalogue files are fetched
 * (/i18n/<locale>/<surface>.json) and <html lang dir> updated before the app renders.
 */
export async function loadPageI18n<K extends string>(surfaces: readonly string[], doc: Document = document): Promise<I18n<K>> {
  const data = embedded(doc);
  const preferred = negotiate(navigator.languages ?? [navigator.language]);
  if (data.explicit || preferred === data.locale || data === EMPTY) return createI18n<K>(data.locale, data.messages);
  try {
    const files = await Promise.all(
      surfaces.map(async (s) => {
        const res = await fetch(`/i18n/${preferred}/${s}.json`, { credentials: 'same-origin' });
        if (!res.ok) throw new Error(`catalogue ${s}: HTTP ${res.status}`);
        return (await res.json()) as Record<string, string>;
      }),
    );
    doc.documentElement.lang = preferred;
    doc.documentElement.dir = directionOf(preferred);
    return createI18n<K>(preferred, Object.assign({}, ...files));
  } catch {
    return createI18n<K>(data.locale, data.messages);
  }
}
