// "Transfer to…": pick a teammate in a modal dialog. The team comes from
// GET /api/agents (admins); agents, who may not list accounts, get the
// teammates seen on the team's conversations instead.

import type { Agent, Conversation } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import { h, setContent } from '../lib/dom.ts';

type Teammate = { id: string; name: string };

async function loadTeam(): Promise<Teammate[]> {
  try {
    return (await api<{ agents: Agent[] }>('GET', '/api/agents')).agents;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 403) throw err;
  }
  const seen = new Map<string, string>();
  for (const status of ['active', 'closed'] as const) {
    const { conversations } = await api<{ conversations: Conversation[] }>('GET', `/api/conversations?status=${status}`);
    for (const c of conversations) if (c.agent) seen.set(c.agent.id, c.agent.name);
  }
  return [...seen].map(([id, name]) => ({ id, name }));
}

export function openTransferDialog(me: Agent, onPick: (agentId: string, name: string) => void): void {
  const select = h('select', { id: 'transfer-agent', name: 'agent', required: true }, h('option', { value: '' }, 'Loading team…'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', disabled: true }, 'Transfer');
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form' },
    h('h2', null, 'Transfer conversation'),
    h('label', { for: 'transfer-agent' }, 'Teammate'),
    select,
    error,
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, 'Cancel'), submit),
  );
  const dialog = h('dialog', { class: 'dialog', 'aria-label': 'Transfer conversation' }, form);
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const option = select.selectedOptions[0];
    if (!select.value || !option) return;
    dialog.close();
    onPick(select.value, option.textContent ?? '');
  });
  document.body.appendChild(dialog);
  dialog.showModal();

  loadTeam()
    .then((team) => {
      const others = team.filter((t) => t.id !== me.id).sort((a, b) => a.name.localeCompare(b.name));
      setContent(select, ...(others.length ? others.map((t) => h('option', { value: t.id }, t.name)) : [h('option', { value: '' }, 'No teammates found')]));
      submit.disabled = others.length === 0;
      select.focus();
    })
    .catch(() => {
      error.hidden = false;
      setContent(error, 'Could not load the team. Try again.');
    });
}
