// `npm run i18n:check` (CI runs it): every shipped catalogue has exactly
// English's keys, every message parses, uses the same placeholders as English,
// and gives each plural every form its language needs. Prints each problem and
// exits 1 if there is one. Messages left identical to English are listed as
// notes (some are right as they are: names, "OK", "Email" in French…).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shapeOf } from '../i18n/format.ts';
import { LANGUAGES, SOURCE_LANGUAGE } from '../i18n/locales.ts';

const I18N = fileURLToPath(new URL('../i18n/', import.meta.url));

export interface CatalogueReport {
  problems: string[];
  /** Messages identical to English, per language (not errors). */
  untranslated: Record<string, number>;
}

function read(file: string, problems: string[]): Record<string, string> | null {
  const name = relative(I18N, file);
  if (!existsSync(file)) {
    problems.push(`${name}: missing`);
    return null;
  }
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object of messages');
    for (const [k, v] of Object.entries(data)) if (typeof v !== 'string') throw new Error(`${k} is not a string`);
    return data as Record<string, string>;
  } catch (err) {
    problems.push(`${name}: ${(err as Error).message}`);
    return null;
  }
}

export function checkCatalogues(dir: string = I18N): CatalogueReport {
  const problems: string[] = [];
  const untranslated: Record<string, number> = {};
  const surfaces = readdirSync(join(dir, SOURCE_LANGUAGE)).filter((f) => f.endsWith('.json')).sort();
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    if (dirent.isDirectory() && !LANGUAGES.some((l) => l.code === dirent.name)) problems.push(`${dirent.name}/: not a shipped language (add it to i18n/locales.ts)`);
  }
  for (const { code } of LANGUAGES) {
    untranslated[code] = 0;
    const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories as string[];
    for (const file of surfaces) {
      const surface = file.slice(0, -'.json'.length);
      const english = read(join(dir, SOURCE_LANGUAGE, file), problems) ?? {};
      const path = join(dir, code, file);
      const messages = read(path, problems);
      if (!messages) continue;
      const where = `${code}/${file}`;
      for (const key of Object.keys(english)) if (!(key in messages)) problems.push(`${where}: missing key "${key}"`);
      for (const [key, text] of Object.entries(messages)) {
        if (!key.startsWith(`${surface}.`)) problems.push(`${where}: key "${key}" must start with "${surface}."`);
        if (!(key in english)) {
          problems.push(`${where}: key "${key}" is not in English (${SOURCE_LANGUAGE}/${file})`);
          continue;
        }
        let shape;
        let source;
        try {
          shape = shapeOf(text);
          source = shapeOf(english[key]);
        } catch (err) {
          problems.push(`${where}: "${key}": ${(err as Error).message}`);
          continue;
        }
        const mine = [...shape.args].sort().join(', ');
        const theirs = [...source.args].sort().join(', ');
        if (mine !== theirs) problems.push(`${where}: "${key}" has placeholders {${mine}}, English has {${theirs}}`);
        for (const plural of shape.plurals) {
          const lacking = categories.filter((c) => !plural.keys.includes(c));
          if (lacking.length) problems.push(`${where}: "${key}": plural {${plural.name}} lacks ${lacking.join(', ')} (needed in ${code})`);
        }
        if (code !== SOURCE_LANGUAGE && text === english[key]) untranslated[code]++;
      }
    }
  }
  return { problems, untranslated };
}

if (import.meta.main) {
  const { problems, untranslated } = checkCatalogues();
  for (const p of problems) console.error(`i18n: ${p}`);
  const same = Object.entries(untranslated).filter(([, n]) => n > 0).map(([code, n]) => `${code} ${n}`);
  if (same.length) console.log(`i18n: messages identical to English (check they need no translation): ${same.join(', ')}`);
  if (problems.length) {
    console.error(`i18n: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`i18n: ${LANGUAGES.length} languages complete`);
}
