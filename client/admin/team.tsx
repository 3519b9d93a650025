// The dashboard's team section: every account (GET /api/agents), unlocking a
// locked sign-in, editing name and role, resetting a password, disabling,
// enabling and deleting (team-actions.tsx), and the form that creates an
// account (POST /api/agents), with its problems said in words, next to the
// field they are about.

import { useEffect, useState } from 'preact/hooks';
import type { Agent, Role, TeamMember } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import type { AdminKey, I18n } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { TeamActions, type TeamDialog, TeamDialogs } from './team-actions.tsx';

type Field = 'name' | 'email' | 'password';
type Problems = Partial<Record<Field, string>>;
type T = I18n<AdminKey>['t'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HUMAN: Record<Field, AdminKey> = {
  name: 'admin.team.problem.nameTooLong',
  email: 'admin.team.problem.email',
  password: 'admin.team.problem.password',
};

function check(t: T, form: { name: string; email: string; password: string }): Problems {
  const problems: Problems = {};
  if (!form.name.trim()) problems.name = t('admin.team.problem.nameMissing');
  if (!form.email.trim()) problems.email = t('admin.team.problem.emailMissing');
  else if (!EMAIL.test(form.email.trim())) problems.email = t(HUMAN.email);
  if (form.password.length < 8) problems.password = t(HUMAN.password);
  return problems;
}

/** The server's refusal in words: `invalid_payload` names its field first ("email: not an email address"). */
function explain(t: T, err: unknown): { field?: Field; text: string } {
  if (!(err instanceof ApiError)) return { text: t('admin.team.error.network') };
  if (err.code === 'conflict') return { field: 'email', text: t('admin.team.error.emailTaken') };
  if (err.code === 'invalid_payload') {
    const field = (['name', 'email', 'password'] as const).find((f) => err.message.startsWith(`${f}:`) || err.message.startsWith(f));
    if (field) return { field, text: t(HUMAN[field]) };
    return { text: t('admin.team.error.invalid') };
  }
  if (err.code === 'forbidden' || err.code === 'unauthorized') return { text: t('admin.team.error.session') };
  if (err.code === 'rate_limited') return { text: t('admin.team.error.rateLimited') };
  return { text: t('admin.team.error.create') };
}

export function TeamSection() {
  const { t } = useI18n<AdminKey>();
  const [agents, setAgents] = useState<TeamMember[]>([]);
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'agent' as Role });
  const [problems, setProblems] = useState<Problems>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [meId, setMeId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<TeamDialog | null>(null);

  const refresh = async () => {
    const { agents } = await api<{ agents: TeamMember[] }>('GET', '/api/agents');
    setAgents([...agents].sort((a, b) => a.name.localeCompare(b.name)));
  };
  useEffect(() => void refresh().catch(() => {}), []);
  useEffect(() => void api<{ agent?: Agent }>('GET', '/api/me').then((r) => setMeId(r.agent?.id ?? null), () => {}), []);

  async function unlock(a: TeamMember) {
    try {
      await api('POST', `/api/agents/${encodeURIComponent(a.id)}/unlock`);
      setMessage({ text: t('admin.team.unlocked', { name: a.name }), error: false });
      await refresh();
    } catch {
      setMessage({ text: t('admin.team.unlockFailed', { name: a.name }), error: true });
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    const found = check(t, form);
    setProblems(found);
    if (Object.keys(found).length) return setMessage({ text: t('admin.team.checkFields'), error: true });
    setBusy(true);
    try {
      const { agent } = await api<{ agent: Agent }>('POST', '/api/agents', { name: form.name.trim(), email: form.email.trim(), password: form.password, role: form.role });
      setForm({ name: '', email: '', password: '', role: 'agent' });
      setMessage({ text: t('admin.team.created', { name: agent.name, email: agent.email }), error: false });
      await refresh();
    } catch (err) {
      const { field, text } = explain(t, err);
      if (field) setProblems({ [field]: text });
      setMessage({ text, error: true });
    } finally {
      setBusy(false);
    }
  }

  const input = (field: Field, label: string, type: 'text' | 'email' | 'password', extra: Record<string, string | number>) => {
    const common = {
      id: `new-${field}`,
      name: field,
      value: form[field],
      'aria-invalid': problems[field] ? ('true' as const) : undefined,
      'aria-describedby': problems[field] ? `new-${field}-problem` : undefined,
      onInput: (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value }),
      ...extra,
    };
    return (
      <div class="field">
        <label for={`new-${field}`}>{label}</label>
        {type === 'password' ? <input type="password" {...common} /> : type === 'email' ? <input type="email" {...common} /> : <input type="text" {...common} />}
        {problems[field] && (
          <p class="field-problem" id={`new-${field}-problem`}>
            {problems[field]}
          </p>
        )}
      </div>
    );
  };

  return (
    <section class="card" aria-labelledby="team-heading">
      <h2 id="team-heading">{t('admin.team.heading')}</h2>
      <table class="table table-stack">
        <thead>
          <tr>
            <th scope="col">{t('admin.team.name')}</th>
            <th scope="col">{t('admin.team.email')}</th>
            <th scope="col">{t('admin.team.role')}</th>
            <th scope="col">{t('admin.team.signIn')}</th>
            <th scope="col">{t('admin.team.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id}>
              <td data-label={t('admin.team.name')}>
                {a.name}
                {a.id === meId && <span class="muted"> ({t('admin.team.you')})</span>}
              </td>
              <td data-label={t('admin.team.email')}>{a.email}</td>
              <td data-label={t('admin.team.role')}>
                <span class={`badge badge-${a.role}`}>{t(`common.ui.role.${a.role}`)}</span>
              </td>
              <td data-label={t('admin.team.signIn')}>
                {a.disabled ? (
                  <span class="badge badge-locked">{t('admin.team.disabled')}</span>
                ) : a.signInLocked ? (
                  // Failed guesses from unknown browsers lock sign-in from new browsers (the owner's own browser
                  // still works); an admin who has checked with the owner lifts the lock.
                  <span class="sign-in-locked">
                    <span class="badge badge-locked">{t('admin.team.locked')}</span>{' '}
                    <button type="button" class="btn btn-small" aria-label={t('admin.team.unlockLabel', { name: a.name })} onClick={() => void unlock(a)}>
                      {t('admin.team.unlock')}
                    </button>
                  </span>
                ) : (
                  t('admin.team.signInOk')
                )}
              </td>
              <td data-label={t('admin.team.actions')}>
                <TeamActions member={a} self={a.id === meId} open={setDialog} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog && (
        <TeamDialogs
          dialog={dialog}
          setDialog={setDialog}
          done={(text, error) => {
            setMessage({ text, error });
            void refresh().catch(() => {});
          }}
        />
      )}
      <form class="team-form" aria-labelledby="new-agent-heading" noValidate onSubmit={(e) => void submit(e)}>
        <h3 id="new-agent-heading">{t('admin.team.add')}</h3>
        <div class="team-fields">
          {input('name', t('admin.team.name'), 'text', { maxLength: 100, autocomplete: 'off' })}
          {input('email', t('admin.team.email'), 'email', { maxLength: 254, autocomplete: 'off' })}
          {input('password', t('admin.team.password'), 'password', { autocomplete: 'new-password' })}
          <div class="field">
            <label for="new-role">{t('admin.team.role')}</label>
            <select id="new-role" name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value === 'admin' ? 'admin' : 'agent' })}>
              <option value="agent">{t('admin.team.roleAgent')}</option>
              <option value="admin">{t('admin.team.roleAdmin')}</option>
            </select>
          </div>
        </div>
        <div class="team-submit">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('admin.team.create')}
          </button>
          <p class={`form-message${message?.error ? ' form-error' : ''}`} role="status">
            {message?.text}
          </p>
        </div>
      </form>
    </section>
  );
}
