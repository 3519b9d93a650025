// Managing canned replies in the console: the team's (admins edit them) and the agent's own — list,
// add, edit, delete. The server decides who may change what; this only hides what it would refuse.

import { useState } from 'preact/hooks';
import { CANNED_SHORTCUT_MAX, type CannedReply, type CannedScope } from '../../server/protocol/agent-tools.ts';
import type { Agent } from '../../server/protocol/shapes.ts';
import { ApiError } from '../lib/api.ts';
import { errorText } from '../lib/error-text.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { maxMessageLength } from '../lib/settings.ts';
import { Modal } from '../ui/modal.tsx';
import { useI18n } from '../ui/i18n-context.ts';
import type { CannedStore } from './canned.ts';

type Editing = { id: string | null; scope: CannedScope; shortcut: string; body: string };

export function CannedManager({ me, store, onClose }: { me: Agent; store: CannedStore; onClose(): void }) {
  const i18n = useI18n<ConsoleKey>();
  const { t } = i18n;
  const admin = me.role === 'admin';
  const [editing, setEditing] = useState<Editing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const replies = store.replies.value;
  const mayEdit = (r: CannedReply) => (r.scope === 'team' ? admin : r.ownerId === me.id);

  const explain = (err: unknown) => {
    if (err instanceof ApiError && err.code === 'conflict') return t('console.canned.taken');
    if (err instanceof ApiError && err.code === 'invalid_payload') return t('console.canned.invalid');
    return errorText(i18n, err instanceof ApiError ? err.code : 'network');
  };
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setEditing(null);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: Editing) =>
    run(() => (e.id ? store.update(e.id, { shortcut: e.shortcut.trim(), body: e.body }) : store.create({ scope: e.scope, shortcut: e.shortcut.trim(), body: e.body })));

  const section = (scope: CannedScope) => {
    const list = replies.filter((r) => r.scope === scope);
    return (
      <section class="canned-section" aria-labelledby={`canned-${scope}`}>
        <h3 id={`canned-${scope}`}>{scope === 'team' ? t('console.canned.teamHeading') : t('console.canned.personalHeading')}</h3>
        {list.length === 0 ? (
          <p class="muted">{t('console.canned.empty')}</p>
        ) : (
          <ul class="canned-manage-list">
            {list.map((r) => (
              <li key={r.id} class="canned-manage-item" data-shortcut={r.shortcut}>
                <div class="canned-manage-text">
                  <span class="canned-shortcut">/{r.shortcut}</span>
                  <span class="canned-body">{r.body}</span>
                </div>
                {mayEdit(r) && (
                  <div class="canned-manage-actions">
                    <button type="button" class="btn btn-small" onClick={() => setEditing({ id: r.id, scope: r.scope, shortcut: r.shortcut, body: r.body })} aria-label={t('console.canned.editLabel', { shortcut: r.shortcut })}>
                      {t('console.canned.edit')}
                    </button>
                    <button type="button" class="btn btn-small btn-danger" disabled={busy} onClick={() => void run(() => store.remove(r.id))} aria-label={t('console.canned.deleteLabel', { shortcut: r.shortcut })}>
                      {t('console.canned.delete')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  };

  return (
    <Modal label={t('console.canned.title')} onClose={onClose}>
      <div class="dialog-form canned-manager">
        <h2>{t('console.canned.title')}</h2>
        <p class="muted">{t('console.canned.intro')}</p>
        {section('team')}
        {section('personal')}
        {editing ? (
          <form
            class="canned-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save(editing);
            }}
          >
            <h3>{editing.id ? t('console.canned.editHeading') : t('console.canned.addHeading')}</h3>
            {!editing.id && admin && (
              <label class="field">
                <span>{t('console.canned.scope')}</span>
                <select value={editing.scope} onChange={(e) => setEditing({ ...editing, scope: e.currentTarget.value === 'team' ? 'team' : 'personal' })}>
                  <option value="personal">{t('console.canned.personal')}</option>
                  <option value="team">{t('console.canned.team')}</option>
                </select>
              </label>
            )}
            <label class="field">
              <span>{t('console.canned.shortcut')}</span>
              <input name="shortcut" required maxLength={CANNED_SHORTCUT_MAX} value={editing.shortcut} onInput={(e) => setEditing({ ...editing, shortcut: e.currentTarget.value })} autofocus />
            </label>
            <label class="field">
              <span>{t('console.canned.body')}</span>
              <textarea name="body" required rows={4} maxLength={maxMessageLength()} value={editing.body} onInput={(e) => setEditing({ ...editing, body: e.currentTarget.value })} />
            </label>
            <p class="muted canned-placeholders">{t('console.canned.placeholders', { visitor: '{{visitor.name}}', agent: '{{agent.name}}' })}</p>
            {error && (
              <p class="form-error" role="alert">
                {error}
              </p>
            )}
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={() => (setEditing(null), setError(null))}>
                {t('console.canned.cancel')}
              </button>
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {t('console.canned.save')}
              </button>
            </div>
          </form>
        ) : (
          <>
            {error && (
              <p class="form-error" role="alert">
                {error}
              </p>
            )}
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={onClose}>
                {t('console.canned.close')}
              </button>
              <button type="button" class="btn btn-primary" onClick={() => setEditing({ id: null, scope: 'personal', shortcut: '', body: '' })}>
                {t('console.canned.add')}
              </button>
            </div>
          </>
        )}
      </div>
    </Modal>
  );
}
