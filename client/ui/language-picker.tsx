// The agent's own language for the console and the dashboard: every shipped
// language by its native name, plus the browser's. Saving (PATCH /api/me)
// reloads the page, which the server then renders in the chosen language.

import { useState } from 'preact/hooks';
import { LANGUAGES } from '../../i18n/locales.ts';
import type { CommonKey } from '../lib/i18n.ts';
import { useI18n } from './i18n-context.ts';

const BROWSER = '';

async function saveLanguage(language: string | null): Promise<void> {
  // client/lib/api.ts speaks GET and POST only; this is the one PATCH.
  const res = await fetch('/api/me', {
    method: 'PATCH',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ language }),
  });
  if (!res.ok) throw new Error(`PATCH /api/me: HTTP ${res.status}`);
}

export function LanguagePicker({ current, onError }: { current: string | null; onError(text: string): void }) {
  const { t } = useI18n<CommonKey>();
  const [busy, setBusy] = useState(false);
  return (
    <select
      id="agent-language"
      class="status-select language-select"
      aria-label={t('common.ui.language')}
      title={t('common.ui.language')}
      value={current ?? BROWSER}
      disabled={busy}
      onChange={(e) => {
        const el = e.currentTarget;
        const picked = el.value === BROWSER ? null : el.value;
        setBusy(true);
        saveLanguage(picked)
          .then(() => location.reload())
          .catch(() => {
            setBusy(false);
            el.value = current ?? BROWSER;
            onError(t('common.ui.languageFailed'));
          });
      }}
    >
      <option value={BROWSER}>{t('common.ui.browserLanguage')}</option>
      {LANGUAGES.map((l) => (
        <option key={l.code} value={l.code} lang={l.code} dir={l.dir}>
          {l.name}
        </option>
      ))}
    </select>
  );
}
