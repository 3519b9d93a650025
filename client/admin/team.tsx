// The dashboard's team section: every account (GET /api/agents), unlocking a
// locked sign-in, and the form that creates an account (POST /api/agents),
// with its problems said in words, next to the field they are about.

import { useEffect, useState } from 'preact/hooks';
import type { Agent, Role, TeamMember } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';

type Field = 'name' | 'email' | 'password';
type Problems = Partial<Record<Field, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HUMAN: Record<Field, string> = {
  name: 'Enter a name of up to 100 characters.',
  email: 'That email address does not look right.',
  password: 'The password needs at least 8 characters.',
};

function check(form: { name: string; email: string; password: string }): Problems {
  const problems: Problems = {};
  if (!form.name.trim()) problems.name = 'Enter the teammate’s name.';
  if (!form.email.trim()) problems.email = 'Enter the email address they will sign in with.';
  else if (!EMAIL.test(form.email.trim())) problems.email = HUMAN.email;
  if (form.password.length < 8) problems.password = HUMAN.password;
  return problems;
}

/** The server's refusal in words: `invalid_payload` names its field first ("email: not an email address"). */
function explain(err: unknown): { field?: Field; text: string } {
  if (!(err instanceof ApiError)) return { text: 'Could not reach the server. Try again.' };
  if (err.code === 'conflict') return { field: 'email', text: 'That email is already in use.' };
  if (err.code === 'invalid_payload') {
    const field = (['name', 'email', 'password'] as const).find((f) => err.message.startsWith(`${f}:`) || err.message.startsWith(f));
    if (field) return { field, text: HUMAN[field] };
    return { text: 'Some details are not right. Check the fields and try again.' };
  }
  if (err.code === 'forbidden' || err.code === 'unauthorized') return { text: 'Your session has ended. Sign in again to add teammates.' };
  if (err.code === 'rate_limited') return { text: 'Too many attempts. Wait a moment and try again.' };
  return { text: 'Could not create the account. Try again.' };
}

export function TeamSection() {
  const [agents, setAgents] = useState<TeamMember[]>([]);
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'agent' as Role });
  const [problems, setProblems] = useState<Problems>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    const { agents } = await api<{ agents: TeamMember[] }>('GET', '/api/agents');
    setAgents([...agents].sort((a, b) => a.name.localeCompare(b.name)));
  };
  useEffect(() => void refresh().catch(() => {}), []);

  async function unlock(a: TeamMember) {
    try {
      await api('POST', `/api/agents/${encodeURIComponent(a.id)}/unlock`);
      setMessage({ text: `${a.name} can sign in from any browser again.`, error: false });
      await refresh();
    } catch {
      setMessage({ text: `Could not unlock ${a.name}. Try again.`, error: true });
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    const found = check(form);
    setProblems(found);
    if (Object.keys(found).length) return setMessage({ text: 'Check the highlighted fields.', error: true });
    setBusy(true);
    try {
      const { agent } = await api<{ agent: Agent }>('POST', '/api/agents', { name: form.name.trim(), email: form.email.trim(), password: form.password, role: form.role });
      setForm({ name: '', email: '', password: '', role: 'agent' });
      setMessage({ text: `${agent.name} can now sign in as ${agent.email}.`, error: false });
      await refresh();
    } catch (err) {
      const { field, text } = explain(err);
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
      <h2 id="team-heading">Team</h2>
      <table class="table table-stack">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Sign-in</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id}>
              <td data-label="Name">{a.name}</td>
              <td data-label="Email">{a.email}</td>
              <td data-label="Role">
                <span class={`badge badge-${a.role}`}>{a.role}</span>
              </td>
              <td data-label="Sign-in">
                {a.signInLocked ? (
                  // Failed guesses from unknown browsers lock sign-in from new browsers (the owner's own browser
                  // still works); an admin who has checked with the owner lifts the lock.
                  <span class="sign-in-locked">
                    <span class="badge badge-locked">Locked</span>{' '}
                    <button type="button" class="btn btn-small" aria-label={`Unlock sign-in for ${a.name}`} onClick={() => void unlock(a)}>
                      Unlock
                    </button>
                  </span>
                ) : (
                  'OK'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="team-form" aria-labelledby="new-agent-heading" noValidate onSubmit={(e) => void submit(e)}>
        <h3 id="new-agent-heading">Add a teammate</h3>
        <div class="team-fields">
          {input('name', 'Name', 'text', { maxLength: 100, autocomplete: 'off' })}
          {input('email', 'Email', 'email', { maxLength: 254, autocomplete: 'off' })}
          {input('password', 'Password (8+ characters)', 'password', { autocomplete: 'new-password' })}
          <div class="field">
            <label for="new-role">Role</label>
            <select id="new-role" name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value === 'admin' ? 'admin' : 'agent' })}>
              <option value="agent">Agent</option>
              <option value="admin">Admin</option>
            </select>
          </div>
        </div>
        <div class="team-submit">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            Create account
          </button>
          <p class={`form-message${message?.error ? ' form-error' : ''}`} role="status">
            {message?.text}
          </p>
        </div>
      </form>
    </section>
  );
}
