// The dashboard's team section: every account (GET /api/agents) and the form
// that creates one (POST /api/agents).

import type { Agent, Role, TeamMember } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import { h, setContent } from '../lib/dom.ts';

export function createTeamSection(onCreated: (agent: Agent) => void): { element: HTMLElement; refresh(): Promise<void> } {
  const rows = h('tbody');
  const field = (id: string, label: string, input: HTMLElement) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const name = h('input', { id: 'new-name', name: 'name', type: 'text', required: true, maxlength: 100, autocomplete: 'off' });
  const email = h('input', { id: 'new-email', name: 'email', type: 'email', required: true, maxlength: 254, autocomplete: 'off' });
  const password = h('input', { id: 'new-password', name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
  const role = h('select', { id: 'new-role', name: 'role' }, h('option', { value: 'agent' }, 'Agent'), h('option', { value: 'admin' }, 'Admin'));
  const message = h('p', { class: 'form-message', role: 'status' });
  const form = h(
    'form',
    { class: 'team-form', 'aria-labelledby': 'new-agent-heading', novalidate: true },
    h('h3', { id: 'new-agent-heading' }, 'Add a teammate'),
    h('div', { class: 'team-fields' }, field('new-name', 'Name', name), field('new-email', 'Email', email), field('new-password', 'Password (8+ characters)', password), field('new-role', 'Role', role)),
    h('div', { class: 'team-submit' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create account'), message),
  );
  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'team-heading' },
    h('h2', { id: 'team-heading' }, 'Team'),
    h('table', { class: 'table' }, h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Sign-in'))), rows),
    form,
  );

  function say(text: string, error = false) {
    message.classList.toggle('form-error', error);
    setContent(message, text);
  }

  async function refresh() {
    const { agents } = await api<{ agents: TeamMember[] }>('GET', '/api/agents');
    rows.replaceChildren(
      ...agents
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) =>
          h(
            'tr',
            null,
            h('td', null, a.name),
            h('td', null, a.email),
            h('td', null, h('span', { class: `badge badge-${a.role}` }, a.role)),
            h('td', null, a.signInLocked ? signInLock(a) : 'OK'),
          ),
        ),
    );
  }

  // Failed guesses from unknown browsers lock sign-in from new browsers (the owner's own browser still
  // works); an admin who has checked with the owner lifts the lock.
  function signInLock(a: TeamMember): HTMLElement {
    const unlock = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Unlock sign-in for ${a.name}` }, 'Unlock');
    unlock.addEventListener('click', async () => {
      unlock.disabled = true;
      try {
        await api('POST', `/api/agents/${encodeURIComponent(a.id)}/unlock`);
        say(`${a.name} can sign in from any browser again.`);
        await refresh();
      } catch (err) {
        unlock.disabled = false;
        say(err instanceof Error ? err.message : 'Could not unlock.', true);
      }
    });
    return h('span', { class: 'sign-in-locked' }, h('span', { class: 'badge badge-locked' }, 'Locked'), ' ', unlock);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!name.value.trim() || !email.value.trim()) return say('Name and email are required.', true);
    if (password.value.length < 8) return say('The password needs at least 8 characters.', true);
    try {
      const { agent } = await api<{ agent: Agent }>('POST', '/api/agents', {
        name: name.value.trim(),
        email: email.value.trim(),
        password: password.value,
        role: role.value as Role,
      });
      form.reset();
      say(`${agent.name} can now sign in as ${agent.email}.`);
      onCreated(agent);
      await refresh();
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      say(code === 'conflict' ? 'That email is already in use.' : err instanceof Error ? err.message : 'Could not create the account.', true);
    }
  });

  return { element, refresh };
}
