// The message catalogues (i18n/<language>/<surface>.json) as the server uses
// them: loaded once at start, each language completed with English for keys it
// lacks, and the language of a page request chosen from what the request asks.

import { readdirSync, readFileSync } from 'node:fs';
import type { Request } from 'express';
import { directionOf, type Direction, LANGUAGES, matchLanguage, negotiate, parseAcceptLanguage, SOURCE_LANGUAGE } from '../../i18n/locales.ts';

const I18N_DIR = new URL('../../i18n/', import.meta.url);

/** The parts of the product that each have their own file in a catalogue; a page loads only its own. */
export const SURFACES = ['common', 'loader', 'widget', 'login', 'console', 'admin', 'email'] as const;
export type Surface = (typeof SURFACES)[number];

export type Messages = Record<string, string>;

export interface Catalogs {
  /** The messages of `surfaces` in `locale`, English filling any gap. */
  messages(locale: string, surfaces: readonly Surface[]): Messages;
}

function readSurface(code: string, surface: Surface): Messages {
  let raw: string;
  try {
    raw = readFileSync(new URL(`${code}/${surface}.json`, I18N_DIR), 'utf8');
  } catch {
    return {};
  }
  return JSON.parse(raw) as Messages;
}

export function loadCatalogs(): Catalogs {
  const shipped = new Set(readdirSync(I18N_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));
  const byLanguage = new Map<string, Map<Surface, Messages>>();
  for (const { code } of LANGUAGES) {
    const surfaces = new Map<Surface, Messages>();
    for (const surface of SURFACES) {
      const english = readSurface(SOURCE_LANGUAGE, surface);
      surfaces.set(surface, code === SOURCE_LANGUAGE || !shipped.has(code) ? english : { ...english, ...readSurface(code, surface) });
    }
    byLanguage.set(code, surfaces);
  }
  return {
    messages(locale, surfaces) {
      const lang = byLanguage.get(locale) ?? byLanguage.get(SOURCE_LANGUAGE)!;
      return Object.assign({}, ...surfaces.map((s) => lang.get(s)));
    },
  };
}

/** A page's language and how it was chosen: `explicit` when the page, the admin or the agent said so, not the browser. */
export interface PageLanguage {
  locale: string;
  dir: Direction;
  explicit: boolean;
}

function chosen(locale: string, explicit: boolean): PageLanguage {
  return { locale, dir: directionOf(locale), explicit };
}

/** `?lang=` from the page (the widget passes its script tag's data-lang), when it names a shipped language. */
function queryLanguage(req: Request): string | null {
  const lang = req.query.lang;
  return typeof lang === 'string' ? matchLanguage(lang) : null;
}

/** The browser's preference (Accept-Language), English when it asks for nothing shipped. */
export function browserLanguage(req: Request): PageLanguage {
  return chosen(negotiate(parseAcceptLanguage(req.get('accept-language'))), false);
}

/** The visitor's chat: the embedding page's data-lang, else the admin's WIDGET_LANGUAGE, else the browser's. */
export function visitorLanguage(req: Request, widgetLanguage: string | null): PageLanguage {
  const asked = queryLanguage(req) ?? widgetLanguage;
  return asked ? chosen(asked, true) : browserLanguage(req);
}

/** An agent's pages: the language set in their account, else the browser's. */
export function agentLanguage(req: Request, accountLanguage: string | null | undefined): PageLanguage {
  const own = accountLanguage ? matchLanguage(accountLanguage) : null;
  return own ? chosen(own, true) : browserLanguage(req);
}
