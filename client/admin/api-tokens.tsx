// The Settings page's "API tokens" card (/admin#settings): the tokens integrations use for the REST
// API (docs/api.md) — list, create (the secret shown once, with a copy button), revoke after a
// confirmation. GET/POST /api/tokens, DELETE /api/tokens/:id.

import { useEffect, useState } from 'preact/hooks';
import { API_SCOPES, API_TOKEN_NAME_MAX, API_TOKENS_MAX, type ApiScope, type ApiToken, type CreatedApiToken } from '../../server/protocol/api-tokens.ts';
import { api, ApiError } from '../lib/api.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { ConfirmDialog } from '../ui/modal.tsx';
import { NameChecklist, SecretOnceDialog } from './secret-dialogs.tsx';

const SCOPE_LABEL: Record<ApiScope, AdminKey> = {
  'conversations:read': 'admin.tokens.scope.conversationsRead',
  'conversations:manage': 'admin.tokens.scope.conversationsManage',
  'messages:send_agent': 'admin.tokens.scope.sendAgent',
  'messages:send_system': 'admin.tokens.scope.sendSystem',
  'agents:read': 'admin.tokens.scope.agentsRead',
};

type Dialog = { kind: 'secret'; token: CreatedApiToken } | { kind: 'revoke'; token: ApiToken };

export function ApiTokensCard() {
  const { t, fullTime } = useI18n<AdminKey>();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiScope[]>([]);
  const [problem, setProblem] = useState<{ name?: string; scopes?: string }>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => setTokens((await api<{ tokens: ApiToken[] }>('GET', '/api/tokens')).tokens);
  useEffect(() => {
    load().catch(() => setMessage({ text: t('admin.tokens.error.load'), error: true }));
  }, []);

  const refusal = (err: unknown) => {
    if (err instanceof ApiError && err.code === 'conflict') return t('admin.tokens.error.tooMany', { max: API_TOKENS_MAX });
    return t('admin.tokens.error.action');
  };

  async function create(e: Event) {
    e.preventDefault();
    const wanted = name.trim();
    const found = {
      name: !wanted || wanted.length > API_TOKEN_NAME_MAX ? t('admin.tokens.problem.name', { max: API_TOKEN_NAME_MAX }) : undefined,
      scopes: scopes.length === 0 ? t('admin.tokens.problem.scopes') : undefined,
    };
    setProblem(found);
    if (found.name || found.scopes) return;
    setBusy(true);
    setMessage(null);
    try {
      const { token } = await api<{ token: CreatedApiToken }>('POST', '/api/tokens', { name: wanted, scopes });
      setName('');
      setScopes([]);
      setDialog({ kind: 'secret', token });
      await load();
    } catch (err) {
      setMessage({ text: refusal(err), error: true });
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiToken) {
    setDialog(null);
    try {
      await api('DELETE', `/api/tokens/${encodeURIComponent(token.id)}`);
      setMessage({ text: t('admin.tokens.revoked', { name: token.name }), error: false });
    } catch (err) {
      setMessage({ text: refusal(err), error: true });
    }
    await load().catch(() => {});
  }

  const toggle = (scope: ApiScope, on: boolean) => {
    setScopes((now) => (on ? [...now, scope] : now.filter((s) => s !== scope)));
    setProblem((p) => ({ ...p, scopes: undefined }));
  };

  return (
    <section class="card api-tokens" aria-labelledby="tokens-heading" aria-busy={tokens === null}>
      <h2 id="tokens-heading">{t('admin.tokens.heading')}</h2>
      <p class="card-hint">{t('admin.tokens.hint')}</p>
      {tokens !== null && tokens.length === 0 && <p class="tokens-empty">{t('admin.tokens.empty')}</p>}
      {tokens !== null && tokens.length > 0 && (
        <table class="table table-stack">
          <thead>
            <tr>
              <th scope="col">{t('admin.tokens.name')}</th>
              <th scope="col">{t('admin.tokens.scopes')}</th>
              <th scope="col">{t('admin.tokens.created')}</th>
              <th scope="col">{t('admin.tokens.lastUsed')}</th>
              <th scope="col">
                <span class="sr-only">{t('admin.tokens.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td data-label={t('admin.tokens.name')}>
                  <div class="token-cell">
                    <bdi class="token-name">{token.name}</bdi>
                    <code class="token-prefix">{token.prefix}…</code>
                  </div>
                </td>
                <td data-label={t('admin.tokens.scopes')}>
                  <ul class="token-scopes token-cell">
                    {token.scopes.map((s) => (
                      <li key={s}>{t(SCOPE_LABEL[s])}</li>
                    ))}
                  </ul>
                </td>
                <td data-label={t('admin.tokens.created')}>
                  <div class="token-cell">
                    {fullTime(token.createdAt)}
                    {token.createdBy && <span class="token-by">{t('admin.tokens.by', { name: token.createdBy.name })}</span>}
                  </div>
                </td>
                <td data-label={t('admin.tokens.lastUsed')}>{token.lastUsedAt ? fullTime(token.lastUsedAt) : t('admin.tokens.never')}</td>
                <td>
                  <button type="button" class="btn btn-small btn-danger" aria-label={t('admin.tokens.revokeLabel', { name: token.name })} onClick={() => setDialog({ kind: 'revoke', token })}>
                    {t('admin.tokens.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form class="team-form token-form" onSubmit={create} noValidate>
        <h3>{t('admin.tokens.createHeading')}</h3>
        <div class="field">
          <label for="token-name">{t('admin.tokens.nameLabel')}</label>
          <input
            id="token-name"
            type="text"
            class="token-name-input"
            value={name}
            maxLength={API_TOKEN_NAME_MAX}
            aria-invalid={problem.name ? 'true' : undefined}
            aria-describedby="token-name-hint"
            onInput={(e) => {
              setName(e.currentTarget.value);
              setProblem((p) => ({ ...p, name: undefined }));
            }}
          />
          <p class={problem.name ? 'field-problem' : 'field-hint'} id="token-name-hint">
            {problem.name ?? t('admin.tokens.nameHint')}
          </p>
        </div>
        <NameChecklist
          legend={t('admin.tokens.scopesLegend')}
          names={API_SCOPES}
          label={(scope) => t(SCOPE_LABEL[scope])}
          checked={scopes}
          onToggle={toggle}
          problem={problem.scopes}
          problemId="token-scopes-problem"
        />
        <div class="team-submit">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('admin.tokens.create')}
          </button>
          {message && (
            <p class={`form-message${message.error ? ' form-error' : ''}`} role="status">
              {message.text}
            </p>
          )}
        </div>
      </form>

      {dialog?.kind === 'secret' && (
        <SecretOnceDialog
          title={t('admin.tokens.secretTitle', { name: dialog.token.name })}
          body={t('admin.tokens.secretBody')}
          secret={dialog.token.secret}
          codeId="new-token-secret"
          copyFailed={t('admin.tokens.copyFailed')}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'revoke' && (
        <ConfirmDialog
          title={t('admin.tokens.revokeTitle', { name: dialog.token.name })}
          body={t('admin.tokens.revokeBody')}
          confirm={t('admin.tokens.revoke')}
          danger
          onCancel={() => setDialog(null)}
          onConfirm={() => void revoke(dialog.token)}
        />
      )}
    </section>
  );
}
