// The signed-in agent's own account, in the console and the dashboard alike: their display name
// (PATCH /api/me) and their password (POST /api/me/password: the current one is required, and
// every other session of theirs ends). Problems are said in words, next to the field.

import { useState } from 'preact/hooks';
import type { Agent } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import type { CommonKey } from '../lib/i18n.ts';
import { useI18n } from './i18n-context.ts';
import { Modal } from './modal.tsx';

type Message = { text: string; error: boolean } | null;
type PasswordField = 'current' | 'next' | 'again';

export function AccountDialog({ me, onRenamed, onClose }: { me: Agent; onRenamed(agent: Agent): void; onClose(): void }) {
  const { t } = useI18n<CommonKey>();
  const [name, setName] = useState(me.name);
  const [nameMessage, setNameMessage] = useState<Message>(null);
  const [pw, setPw] = useState<Record<PasswordField, string>>({ current: '', next: '', again: '' });
  const [pwProblem, setPwProblem] = useState<{ field: PasswordField; text: string } | null>(null);
  const [pwMessage, setPwMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  async function saveName(e: Event) {
    e.preventDefault();
    const wanted = name.trim();
    if (!wanted || wanted.length > 100) return setNameMessage({ text: t('common.account.nameMissing'), error: true });
    setBusy(true);
    try {
      const { agent } = await api<{ agent: Agent }>('PATCH', '/api/me', { name: wanted });
      setName(agent.name);
      onRenamed(agent);
      setNameMessage({ text: t('common.account.nameSaved', { name: agent.name }), error: false });
    } catch {
      setNameMessage({ text: t('common.account.nameFailed'), error: true });
    } finally {
      setBusy(false);
    }
  }

  async function changePassword(e: Event) {
    e.preventDefault();
    setPwMessage(null);
    const problem = (field: PasswordField, key: CommonKey) => {
      setPwProblem({ field, text: t(key) });
      return undefined;
    };
    if (!pw.current) return problem('current', 'common.account.wrongPassword');
    if (pw.next.length < 8) return problem('next', 'common.account.tooShort');
    if (pw.next !== pw.again) return problem('again', 'common.account.mismatch');
    setPwProblem(null);
    setBusy(true);
    try {
      await api('POST', '/api/me/password', { currentPassword: pw.current, newPassword: pw.next });
      setPw({ current: '', next: '', again: '' });
      setPwMessage({ text: t('common.account.passwordChanged'), error: false });
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      if (code === 'invalid_credentials') problem('current', 'common.account.wrongPassword');
      else if (code === 'invalid_payload') problem('next', 'common.account.tooShort');
      else setPwMessage({ text: t(code === 'rate_limited' ? 'common.account.tooManyAttempts' : 'common.account.passwordFailed'), error: true });
    } finally {
      setBusy(false);
    }
  }

  const passwordInput = (field: PasswordField, label: CommonKey, autocomplete: string) => (
    <div class="field">
      <label for={`account-${field}`}>{t(label)}</label>
      <input
        type="password"
        id={`account-${field}`}
        value={pw[field]}
        autocomplete={autocomplete}
        maxLength={1024}
        aria-invalid={pwProblem?.field === field ? 'true' : undefined}
        aria-describedby={pwProblem?.field === field ? `account-${field}-problem` : undefined}
        onInput={(e) => setPw({ ...pw, [field]: e.currentTarget.value })}
      />
      {pwProblem?.field === field && (
        <p class="field-problem" id={`account-${field}-problem`}>
          {pwProblem.text}
        </p>
      )}
    </div>
  );

  return (
    <Modal label={t('common.account.title')} onClose={onClose}>
      <div class="dialog-form account-form">
        <h2>{t('common.account.title')}</h2>
        <p class="dialog-text muted">{me.email}</p>
        <form onSubmit={(e) => void saveName(e)} noValidate>
          <div class="field">
            <label for="account-name">{t('common.account.name')}</label>
            <input type="text" id="account-name" value={name} maxLength={100} autocomplete="name" aria-describedby="account-name-hint" onInput={(e) => setName(e.currentTarget.value)} />
            <p class="field-hint" id="account-name-hint">
              {t('common.account.nameHint')}
            </p>
          </div>
          <div class="account-actions">
            <button type="submit" class="btn" disabled={busy}>
              {t('common.account.saveName')}
            </button>
            <p class={`form-message${nameMessage?.error ? ' form-error' : ''}`} role="status">
              {nameMessage?.text}
            </p>
          </div>
        </form>
        <form onSubmit={(e) => void changePassword(e)} noValidate>
          <h3>{t('common.account.passwordHeading')}</h3>
          {/* For password managers: whose password this is. */}
          <input type="email" value={me.email} autocomplete="username" hidden readOnly />
          {passwordInput('current', 'common.account.currentPassword', 'current-password')}
          {passwordInput('next', 'common.account.newPassword', 'new-password')}
          {passwordInput('again', 'common.account.confirmPassword', 'new-password')}
          <div class="account-actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {t('common.account.changePassword')}
            </button>
            <p class={`form-message${pwMessage?.error ? ' form-error' : ''}`} role="status">
              {pwMessage?.text}
            </p>
          </div>
        </form>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t('common.account.close')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
